import { parseArgs, type ParseArgsConfig } from "util";
import { didYouMean } from "../schemas/nearest-name";
import { UsageError } from "./errors";
import { checkNumberFlag, NUMBER_FLAGS } from "./number-flags";

type Options = NonNullable<ParseArgsConfig["options"]>;

// "-1", "-.5": a value, never a flag (no flag starts with a digit).
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * Parses a command's flags; unknown flags and stray positionals are usage errors, not surprises. Every numeric flag
 * given (see `NUMBER_FLAGS`) is checked here, once for all commands, before the command reads it.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals, strict: true });
  } catch (err) {
    throw usageErrorOf(err as Error & { code?: string }, options);
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (NUMBER_FLAGS.has(flag) && typeof value === "string") checkNumberFlag(flag, value);
  }
  return parsed;
}

/**
 * `--max-attempts -1` → `--max-attempts=-1` (and `-Infinity` after a numeric flag), so a negative value reaches its
 * check and is named there instead of parseArgs' "argument is ambiguous".
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    const takesValue = name !== undefined && Object.hasOwn(options, name) && options[name].type === "string";
    const next = argv[i + 1];
    const numeric = name !== undefined && NUMBER_FLAGS.has(name);
    const isValue = next !== undefined && (NEGATIVE_NUMBER.test(next) || (numeric && /^-[^-]/.test(next)));
    if (takesValue && isValue) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

function usageErrorOf(err: Error & { code?: string }, options: Options): UsageError {
  const unknown = err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(--?[^']+)'/.exec(err.message)?.[1] : undefined;
  if (unknown === undefined) return new UsageError(err.message.split("\n")[0]);
  const flags = Object.keys(options).map((name) => `--${name}`);
  return new UsageError(`unknown flag ${unknown}${didYouMean(unknown, flags, (n) => n)}`);
}

export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`missing --${flag}`);
  return value;
}

/** The value of a numeric flag, checked against its rule in `NUMBER_FLAGS` (parseFlags has checked it already). */
export function optionalNumber(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : checkNumberFlag(flag, value);
}

export function oneOf<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
  return value as T;
}
