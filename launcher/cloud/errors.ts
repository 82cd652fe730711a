import { RoxError } from "../../errors/rox-error";

/** Why a cloud call failed, in the terms an operator acts on (from the gRPC status or HTTP code). */
export type CloudFailure =
  | "permission-denied"
  | "unauthenticated"
  | "not-found"
  | "already-exists"
  | "quota-exhausted"
  | "invalid-argument"
  | "failed-precondition"
  | "unavailable"
  | "unknown";

/** A cloud API refused or failed a request. `service`/`method` say which call; `cause` keeps the client's error. */
export class CloudApiError extends RoxError {
  readonly kind = "cloud";
  constructor(
    readonly failure: CloudFailure,
    readonly service: string,
    readonly method: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} failed (${failure}): ${message}`, options);
    this.name = "CloudApiError";
  }
}

/** A setting the cloud call needs (project, region, credentials, a template path) is missing: found before any call. */
export class MissingSettingError extends RoxError {
  readonly kind = "usage";
  constructor(
    readonly setting: string,
    hint: string,
  ) {
    super(`missing ${setting}: ${hint}`);
    this.name = "MissingSettingError";
  }
}

const GRPC_FAILURES: Record<number, CloudFailure> = {
  3: "invalid-argument",
  5: "not-found",
  6: "already-exists",
  7: "permission-denied",
  8: "quota-exhausted",
  9: "failed-precondition",
  14: "unavailable",
  16: "unauthenticated",
};

const HTTP_FAILURES: Record<number, CloudFailure> = {
  400: "invalid-argument",
  401: "unauthenticated",
  403: "permission-denied",
  404: "not-found",
  409: "already-exists",
  412: "failed-precondition",
  429: "quota-exhausted",
  503: "unavailable",
};

export function failureOfGrpcCode(code: number | undefined): CloudFailure {
  return (code !== undefined && GRPC_FAILURES[code]) || "unknown";
}

export function failureOfHttpStatus(status: number): CloudFailure {
  return HTTP_FAILURES[status] ?? "unknown";
}

/** Wraps a Google client (google-gax) error: they carry the gRPC status in `code` and the server's text in `details`. */
export function cloudErrorOf(err: unknown, service: string, method: string): CloudApiError {
  if (err instanceof CloudApiError) return err;
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  const code = typeof e?.code === "number" ? e.code : undefined;
  const text = typeof e?.details === "string" && e.details ? e.details : String(e?.message ?? err);
  return new CloudApiError(failureOfGrpcCode(code), service, method, text, { cause: err });
}
