import { RoxError } from "../../../errors/rox-error";

/** gRPC status names by code, as Pub/Sub reports them (google.rpc.Code). */
const STATUS_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

/**
 * A call through `@google-cloud/pubsub` failed. `status` is Pub/Sub's status name (`NOT_FOUND`, …), as on
 * `PubSubRestError`; "UNKNOWN" when the failure carried no gRPC code (no credentials, say). The client's error is the cause.
 */
export class PubSubCallError extends RoxError {
  readonly kind = "cloud";
  constructor(
    message: string,
    readonly method: string,
    readonly code: number | undefined,
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PubSubCallError";
  }
}

/** Wraps whatever the client threw, naming the call and the subscription it was for. */
export function pubSubCallError(method: string, subscription: string, err: unknown): PubSubCallError {
  const code = (err as { code?: unknown }).code;
  const grpcCode = typeof code === "number" ? code : undefined;
  const status = (grpcCode !== undefined && STATUS_NAMES[grpcCode]) || "UNKNOWN";
  const detail = (err as { details?: string }).details || (err as Error).message || String(err);
  return new PubSubCallError(`Pub/Sub ${method} on ${subscription}: ${status}: ${detail}`, method, grpcCode, status, {
    cause: err,
  });
}
