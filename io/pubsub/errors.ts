import { RoxError } from "../../errors/rox-error";

/** What the local emulator needs and could not find. */
export type EmulatorRequirement = "gcloud" | "pubsub-emulator" | "java";

/** The Pub/Sub emulator cannot run here: the message names what is missing and how to get it. */
export class EmulatorUnavailableError extends RoxError {
  readonly kind = "missing-tool";
  constructor(
    readonly missing: EmulatorRequirement,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorUnavailableError";
  }
}

/** The emulator was found but did not come up (or is already running); the message carries its log tail. */
export class EmulatorStartError extends RoxError {
  readonly kind = "missing-tool";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmulatorStartError";
  }
}

/** A Pub/Sub REST call failed: `httpStatus` 0 means no HTTP answer at all (refused, timed out). */
export class PubSubRestError extends RoxError {
  readonly kind = "cloud";
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PubSubRestError";
  }
}
