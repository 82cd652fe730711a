import { RoxError } from "../errors/rox-error";

/** The command line was wrong: an unknown command, a missing or malformed option. */
export class UsageError extends RoxError {
  readonly kind = "usage";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A job finished but its counts do not reconcile (`read != written + deadLettered + duplicates`). */
export class ReconciliationError extends RoxError {
  readonly kind = "reconciliation";
  constructor(message: string) {
    super(message);
    this.name = "ReconciliationError";
  }
}

/** `rox monitor --fail-on-alert` found metrics above their thresholds (the rows are written and logged first). */
export class MonitoringAlertError extends RoxError {
  readonly kind = "alert";
  constructor(message: string) {
    super(message);
    this.name = "MonitoringAlertError";
  }
}

/** `rox serve` cannot listen where it was told (the port is taken, the host is not this machine's). */
export class ServeListenError extends RoxError {
  readonly kind = "usage";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ServeListenError";
  }
}

export { exitCodeOf } from "../errors/rox-error";
