/**
 * Every numeric flag of every command, declared once with what its number may be. `parseFlags` checks each one given
 * before a command runs, so `--max-attempts 0`, `-1`, `1.5`, `NaN` or `1e999` is a usage error (exit 2) whatever the
 * command; commands read the checked value with `optionalNumber` (args.ts). A flag name means the same thing in every
 * command.
 */
import { UsageError } from "./errors";

export interface NumberRule {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Strictly greater than this (a duration or a rate, where 0 means nothing). */
  above?: number;
  /** What the number counts, for the message: "seconds", "a port". */
  unit: string;
  /** Why the range is what it is, when it is not obvious. */
  why?: string;
}

const count = (unit: string, max?: number, why?: string): NumberRule => ({ integer: true, min: 1, max, unit, why });

export const NUMBER_FLAGS: ReadonlyMap<string, NumberRule> = new Map<string, NumberRule>([
  // rox batch
  ["chunk-mb", { min: 0.01, max: 65_536, unit: "MiB of input per chunk" }],
  ["max-record-bytes", count("bytes", 100 << 20, "BigQuery's row limit is 100 MiB")],
  // rox stream
  ["max-messages", count("messages", Number.MAX_SAFE_INTEGER)],
  ["idle-timeout", { min: 0, max: 31 * 86_400, unit: "seconds" }],
  ["batch-size", count("messages per micro-batch", 1_000_000)],
  ["batch-window-ms", { integer: true, min: 0, max: 600_000, unit: "milliseconds", why: "0: no time bound" }],
  ["max-attempts", count("deliveries", 99, "the subscription's dead-letter policy is one more; Pub/Sub allows 100")],
  ["ack-deadline", { integer: true, min: 10, max: 600, unit: "seconds", why: "Pub/Sub's range for an ack deadline" }],
  // rox publish
  ["rate", { above: 0, max: 1_000_000, unit: "messages per second" }],
  ["duplicates", { min: 0, max: 1, unit: "a probability" }],
  ["shuffle-within", { min: 0, max: 31 * 86_400, unit: "seconds" }],
  ["seed", { integer: true, min: 0, max: 2 ** 32 - 1, unit: "a 32-bit seed" }],
  // rox emulator
  ["port", { integer: true, min: 0, max: 65_535, unit: "a TCP port", why: "0 picks a free one" }],
  // rox serve
  ["reload-every", { min: 0, max: 86_400, unit: "seconds", why: "0: only on SIGHUP" }],
  ["cache-ttl", { min: 0, max: 3_600, unit: "seconds", why: "0: every request reads the warehouse" }],
  ["max-body-bytes", count("bytes", 100 << 20)],
  ["max-instances", count("instances per request", 100_000)],
  // rox deploy
  ["traffic", count("percent of the endpoint's traffic for the new deployment", 100)],
  ["min-replicas", { integer: true, min: 0, max: 1_000, unit: "replicas", why: "0 lets Cloud Run scale to zero" }],
  ["max-replicas", count("replicas", 1_000)],
  // rox monitor deploy
  ["interval-hours", count("hours between Vertex AI's analyses", 8_760, "Vertex AI's monitoring runs hourly at most")],
  ["sample-rate", { above: 0, max: 1, unit: "a share of the requests logged" }],
  // rox sample
  ["limit", count("rows", Number.MAX_SAFE_INTEGER)],
  // rox launch, jobs update, schedule
  ["max-workers", count("workers", 4_000, "Dataflow's limit per job")],
  ["num-workers", count("workers", 4_000, "Dataflow's limit per job")],
  ["poll-interval", { above: 0, max: 3_600, unit: "seconds" }],
  ["max-wait", { above: 0, max: 7 * 24 * 60, unit: "minutes" }],
  // rox batch|stream --runner flink: the embedded cluster's task slots, one per parallel subtask
  ["parallelism", count("parallel subtasks", 64, "the embedded Flink cluster runs in one JVM on this machine")],
]);

// Plain decimal notation only: Number() would also take "", " 5", "0x1f", "0b1" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of a numeric flag as its rule allows it, or a UsageError that names the flag, the value and the rule. */
export function checkNumberFlag(flag: string, text: string): number {
  const rule = ruleOf(flag);
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  const broken = brokenRule(rule, value);
  if (broken) throw new UsageError(`--${flag} must be ${broken} got "${text}")${rule.why ? `: ${rule.why}` : ""}`);
  return value;
}

/**
 * A flag read as a number belongs in the table (test/launcher/number-flags.test.ts finds any that is not); until it
 * is, it gets the rule that is safe for most: a plain, finite, non-negative number.
 */
const UNDECLARED: NumberRule = { min: 0, unit: "a number" };

function ruleOf(flag: string): NumberRule {
  return NUMBER_FLAGS.get(flag) ?? UNDECLARED;
}

function brokenRule(rule: NumberRule, value: number): string | undefined {
  const fits =
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above);
  return fits ? undefined : `${describeRule(rule)} (${rule.unit};`;
}

/** "a whole number from 1 to 99", "greater than 0 and at most 3,600", "a number of at least 0". */
function describeRule({ integer, min, max, above }: NumberRule): string {
  const upper = max === undefined || max === Number.MAX_SAFE_INTEGER ? undefined : max.toLocaleString("en-US");
  const atMost = upper ? ` and at most ${upper}` : "";
  if (above !== undefined) return `${integer ? "a whole number " : ""}greater than ${above}${atMost}`;
  const kind = integer ? "a whole number" : "a number";
  if (min !== undefined && upper) return `${kind} from ${min} to ${upper}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  return upper ? `${kind} of at most ${upper}` : kind;
}
