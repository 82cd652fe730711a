import { RoxError } from "../../errors/rox-error";

/**
 * A 5-field cron expression (unix-cron, the format Cloud Scheduler takes): minute hour day-of-month month day-of-week.
 * Each field is `*`, a value, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a comma list of these; months and
 * weekdays also by their English three-letter names; 0 and 7 are both Sunday. As in Vixie cron, when both day fields
 * are restricted a day matches either of them, otherwise both.
 */
export interface CronSpec {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** Whether the day fields were restricted (did not start with `*`): decides between "either" and "both". */
  domRestricted: boolean;
  dowRestricted: boolean;
}

/** The expression cannot be a schedule; the message names the field and what is wrong with it. */
export class CronError extends RoxError {
  readonly kind = "usage";
  constructor(message: string) {
    super(message);
    this.name = "CronError";
  }
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const RULES: readonly FieldRule[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 7, names: WEEKDAYS },
];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseCron(expression: string): CronSpec {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    throw new CronError(
      `cron "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`,
    );
  const [minutes, hours, daysOfMonth, months, weekdays] = fields.map((field, i) =>
    parseField(field, RULES[i], expression),
  );
  const daysOfWeek = new Set([...weekdays].map((d) => d % 7));
  const spec = {
    source: expression,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    domRestricted: !fields[2].startsWith("*"),
    dowRestricted: !fields[4].startsWith("*"),
  };
  if (spec.domRestricted && !spec.dowRestricted && !someDayExists(daysOfMonth, months))
    throw new CronError(`cron "${expression}" never fires: no month in it has those days`);
  return spec;
}

function parseField(field: string, rule: FieldRule, expression: string): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const [range, stepText, extra] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (extra !== undefined || !/^\d*$/.test(stepText ?? "") || !(step >= 1))
      throw fieldError(rule, expression, `"${item}" needs a step of 1 or more`);
    const [from, to] = rangeOf(range, stepText !== undefined, rule, expression);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function rangeOf(range: string, stepped: boolean, rule: FieldRule, expression: string): [number, number] {
  if (range === "*") return [rule.min, rule.max];
  const [fromText, toText, extra] = range.split("-");
  if (extra !== undefined) throw fieldError(rule, expression, `"${range}" is not a valid range`);
  const from = parseValue(fromText, rule, expression);
  // `a/n` means from a to the end of the field, as in Vixie cron.
  const to = toText === undefined ? (stepped ? rule.max : from) : parseValue(toText, rule, expression);
  if (to < from) throw fieldError(rule, expression, `range "${range}" runs backwards`);
  return [from, to];
}

function parseValue(text: string, rule: FieldRule, expression: string): number {
  const byName = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + (rule.name === "month" ? 1 : 0);
  return parseNumber(text, rule, expression, rule.min, rule.max);
}

function parseNumber(text: string, rule: FieldRule, expression: string, min: number, max: number): number {
  if (!/^\d+$/.test(text))
    throw fieldError(rule, expression, `"${text}" is not a number${rule.names ? " or a name" : ""}`);
  const value = Number(text);
  if (value < min || value > max) throw fieldError(rule, expression, `${value} is outside ${min}-${max}`);
  return value;
}

function fieldError(rule: FieldRule, expression: string, problem: string): CronError {
  return new CronError(`cron "${expression}": ${rule.name}: ${problem}`);
}

function someDayExists(daysOfMonth: ReadonlySet<number>, months: ReadonlySet<number>): boolean {
  return [...months].some((month) => [...daysOfMonth].some((day) => day <= DAYS_IN_MONTH[month - 1]));
}
