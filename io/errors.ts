/** Errors of the file-source role (`FileSource` in `ports.ts`), shared by the local folder and Cloud Storage. */
import { RoxError } from "../errors/rox-error";

/** The object, file or bucket named by `uri` does not exist (or not in the generation asked for). */
export class FileNotFoundError extends RoxError {
  readonly kind = "input";
  constructor(
    readonly uri: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(`not found: ${uri}${options?.detail ? ` (${options.detail})` : ""}`, options);
    this.name = "FileNotFoundError";
  }
}

/** Listing or reading failed for another reason: permission, network, an object that changed while it was staged. */
export class FileSourceError extends RoxError {
  readonly kind = "cloud";
  constructor(
    message: string,
    readonly uri: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "FileSourceError";
  }
}

/** Another job holds the warehouse file (DuckDB lets one process write it at a time): wait for it to end, then retry. */
export class WarehouseBusyError extends RoxError {
  readonly kind = "busy";
  constructor(
    readonly file: string,
    readonly holderPid: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `another job holds ${file}${holderPid === undefined ? "" : ` (process ${holderPid})`}: run again when it has finished`,
      options,
    );
    this.name = "WarehouseBusyError";
  }
}

/** The input cannot be read as asked: no such files, a format its name does not tell, a pattern that names nothing. */
export class InputError extends RoxError {
  readonly kind = "input";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}
