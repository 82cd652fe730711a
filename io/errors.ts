/** Errors of the file-source role (`FileSource` in `ports.ts`), shared by the local folder and Cloud Storage. */
import { RoxError } from "../errors/rox-error";
import { DEFAULT_DUCKDB_MEMORY } from "./local/duckdb-memory";

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

/** DuckDB hit its memory limit (`--duckdb-memory`, or the warehouse's default limit) and could not spill enough. */
export class WarehouseMemoryError extends RoxError {
  readonly kind = "usage";
  constructor(
    readonly memoryLimit: string | undefined,
    options?: { cause?: unknown },
  ) {
    const limit =
      memoryLimit === undefined ? `its default limit, ${DEFAULT_DUCKDB_MEMORY}` : `--duckdb-memory ${memoryLimit}`;
    super(
      `the DuckDB warehouse ran out of memory under ${limit}: give it more (--duckdb-memory 1GB), or run where ` +
        "there is more RAM; what the job committed before stays committed",
      options,
    );
    this.name = "WarehouseMemoryError";
  }
}

/** Whether `err`, or an error it was caused by, is DuckDB's out-of-memory error. */
export function isDuckDbOutOfMemory(err: unknown): boolean {
  // Duck-typed: the native binding's errors need not be this realm's `Error`.
  let e = err as { message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; typeof e === "object" && e !== null && depth < 10; depth++) {
    if (typeof e.message === "string" && /Out of Memory Error/.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** The input cannot be read as asked: no such files, a format its name does not tell, a pattern that names nothing. */
export class InputError extends RoxError {
  readonly kind = "input";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}
