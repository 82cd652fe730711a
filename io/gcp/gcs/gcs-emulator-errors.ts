import { RoxError } from "../../../errors/rox-error";

/** fake-gcs-server cannot run here: the message names the missing binary and how to install it. */
export class GcsEmulatorUnavailableError extends RoxError {
  readonly kind = "missing-tool";
  constructor(
    readonly missing: string,
    message: string,
  ) {
    super(message);
    this.name = "GcsEmulatorUnavailableError";
  }
}

/** fake-gcs-server was found but did not answer; the message carries its log tail. */
export class GcsEmulatorStartError extends RoxError {
  readonly kind = "missing-tool";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GcsEmulatorStartError";
  }
}
