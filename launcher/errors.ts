/** The command line was wrong: an unknown command, a missing or malformed option. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A job finished but its counts do not reconcile (`read != written + deadLettered + duplicates`). */
export class ReconciliationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReconciliationError";
  }
}

/** Exit codes by error type; only `main` uses them. */
export function exitCodeOf(err: unknown): number {
  const name = err instanceof Error ? err.name : "";
  if (name === "UsageError") return 2;
  if (name === "InputError" || name === "SchemaError") return 3;
  if (name === "ReconciliationError") return 4;
  return 1;
}
