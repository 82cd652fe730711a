/**
 * The one base of the project's typed errors. An error's kind says what went wrong from the user's side, and the kind
 * alone decides the command's exit code (only `main` turns it into one; the README lists them). Any other error is a
 * fault of the program and exits 1.
 */
export const EXIT_CODE_OF_KIND = {
  /** The command or its settings are wrong: fix the invocation. */
  usage: 2,
  /** The input is wrong: a file, a schema, a name, a template parameter, a model. */
  input: 3,
  /** The job ran but its counts do not reconcile. */
  reconciliation: 4,
  /** A cloud API (or its emulator) refused or failed a call. */
  cloud: 5,
  /** Something we started failed (a Dataflow job, a trainer, a pipeline step) or did not finish while we waited. */
  "run-failed": 6,
  /** A running job cannot be updated in place: drain and relaunch. */
  "update-incompatible": 7,
  /** A local tool is missing or would not start: an emulator, Beam's helpers, the trainer's environment. */
  "missing-tool": 8,
  /** Another job holds the warehouse file: run again when it has finished. */
  busy: 9,
  /** A model promotion the gate refused: the candidate does not beat the champion on the same held-out rows. */
  refused: 10,
  /** Monitoring alerted (drift or data quality past a threshold) and `--fail-on-alert` was given. */
  alert: 11,
} as const;

export type ErrorKind = keyof typeof EXIT_CODE_OF_KIND;

export abstract class RoxError extends Error {
  abstract readonly kind: ErrorKind;
}

/** The exit code of anything thrown: its kind's, or 1 for a fault of the program (or a value that is no RoxError). */
export function exitCodeOf(err: unknown): number {
  const kind = err instanceof RoxError ? err.kind : undefined;
  return kind !== undefined && Object.hasOwn(EXIT_CODE_OF_KIND, kind) ? EXIT_CODE_OF_KIND[kind] : 1;
}
