/** Errors of the file-source role (`FileSource` in `ports.ts`), shared by the local folder and Cloud Storage. */

/** The object, file or bucket named by `uri` does not exist (or not in the generation asked for). */
export class FileNotFoundError extends Error {
  constructor(
    readonly uri: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(`not found: ${uri}${options?.detail ? ` (${options.detail})` : ""}`, options);
    this.name = "FileNotFoundError";
  }
}

/** Listing or reading failed for another reason: permission, network, an object that changed while it was staged. */
export class FileSourceError extends Error {
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
export class WarehouseBusyError extends Error {
  constructor(
    readonly file: string,
    readonly holderPid: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`another job holds ${file}${holderPid === undefined ? "" : ` (process ${holderPid})`}: run again when it has finished`, options);
    this.name = "WarehouseBusyError";
  }
}

/** The input cannot be read as asked: no such files, a format its name does not tell, a pattern that names nothing. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}
