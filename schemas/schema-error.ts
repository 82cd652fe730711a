import { RoxError } from "../errors/rox-error";

/** Why a schema could not become a contract; lets callers (the CLI) map failures without parsing messages. */
export type SchemaErrorReason = "not_found" | "bad_json" | "invalid_avro" | "invalid_attribute" | "unsupported";

/** A schema file that cannot be used. The message names the file and the offending attribute or field. */
export class SchemaError extends RoxError {
  readonly kind = "input";
  override readonly name = "SchemaError";

  constructor(
    readonly reason: SchemaErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
