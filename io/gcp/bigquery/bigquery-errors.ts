/** Typed errors of the BigQuery adapter and its emulator; only `launcher/main.ts` maps them to exit codes. */
import { RoxError } from "../../../errors/rox-error";

/** A BigQuery call (a job, a table operation) failed: `step` says what the warehouse was doing, `cause` keeps the client's error. */
export class BigQueryWarehouseError extends RoxError {
  readonly kind = "cloud";
  constructor(
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`BigQuery ${step} failed: ${message}`, options);
    this.name = "BigQueryWarehouseError";
  }
}

/** bqemulator is not installed where it was looked for: the message names the path and how to install it. */
export class BigQueryEmulatorUnavailableError extends RoxError {
  readonly kind = "missing-tool";
  constructor(
    readonly missing: string,
    message: string,
  ) {
    super(message);
    this.name = "BigQueryEmulatorUnavailableError";
  }
}

/** bqemulator was found but did not come up; the message carries its log tail. */
export class BigQueryEmulatorStartError extends RoxError {
  readonly kind = "missing-tool";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BigQueryEmulatorStartError";
  }
}
