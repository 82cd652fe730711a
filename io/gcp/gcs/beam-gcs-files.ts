/**
 * DoFns that read the batch job's input where it lives — Cloud Storage on Dataflow workers, or a local path in
 * tests: list the objects of the input pattern, then read each object whole (copied to the worker's temp folder
 * through the synchronous bridge, planned into splits, decoded) with its `gs://` URI as every record's source.
 * Parameters travel in the context argument; nothing here loads a Google client until a `gs://` object is touched.
 */
import { requireForSerialization } from "apache-beam/serialization";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fileURLToPath, pathToFileURL } from "url";
import { isGcsUri } from "../../identifiers/storage";
import { listInputFiles } from "../../files/list-files";
import { InputError } from "../../errors";
import { formatOf, planSplits, readSplit, type FileFormat } from "../../files/splits";
import type { Decoded, Outcome } from "../../../transforms/envelope";
import type { GcsClientOptions } from "./gcs-client";
import { copyObjectSync, listObjectsSync } from "./gcs-sync";

/** One input object (or local file) and how to read it. */
export interface InputObject {
  /** `gs://bucket/object`, or a `file://` URL for a local input. */
  uri: string;
  size: number;
  format: FileFormat;
  /** The generation listed, so the object read is the object listed. */
  generation?: string;
}

export interface ListContext {
  storage: GcsClientOptions;
  /** Every object's format; by default each one's extension says. */
  format?: FileFormat;
}

export interface ReadContext {
  storage: GcsClientOptions;
  maxRecordBytes: number;
  /** Where objects are copied (default: the worker's temp folder); each copy is deleted once read. */
  tempDir?: string;
}

/** The job's input pattern as the single element the listing starts from (an impulse carries no value). */
export function inputPattern(_impulse: unknown, ctx: { input: string }): string {
  return ctx.input;
}

/** Every object matching the pattern; none, or one whose format cannot be told, is an input error (as locally). */
export function listInputObjects(pattern: string, ctx: ListContext): InputObject[] {
  const found = isGcsUri(pattern) ? listObjectsSync(pattern, ctx.storage) : listLocalFiles(pattern);
  if (found.length === 0) throw new InputError(`no objects match ${pattern}`);
  return found.map(({ uri, size, generation }) => ({
    uri,
    size,
    format: formatOf(uri, ctx.format),
    ...(generation ? { generation } : {}),
  }));
}

/** The decoded records of one object, in order; content problems are dead letters, a failed copy throws (and is retried). */
export function* readObjectRecords(object: InputObject, ctx: ReadContext): Generator<Outcome<Decoded>> {
  if (!isGcsUri(object.uri)) return yield* readFileRecords(fileURLToPath(object.uri), object, ctx.maxRecordBytes);
  const dir = fs.mkdtempSync(path.join(ctx.tempDir ?? os.tmpdir(), "rox-object-"));
  try {
    const local = path.join(dir, `object.${object.format}`);
    copyObjectSync(object.uri, local, { ...ctx.storage, generation: object.generation });
    yield* readFileRecords(local, object, ctx.maxRecordBytes);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Keys each object by its URI, so a GroupByKey can spread the objects over workers (Dataflow fuses the rest). */
export function keyByUri(object: InputObject): { key: string; value: InputObject } {
  return { key: object.uri, value: object };
}

export function objectsOfGroup(group: { key: string; value: Iterable<InputObject> }): Iterable<InputObject> {
  return group.value;
}

function* readFileRecords(file: string, object: InputObject, maxRecordBytes: number): Generator<Outcome<Decoded>> {
  // Splits name the object, not the copy: dead letters and `_source` must point at what the user gave.
  for (const split of planSplits(file, object.format, { maxRecordBytes }))
    yield* readSplit({ ...split, uri: object.uri }, { maxRecordBytes });
}

function listLocalFiles(pattern: string): { uri: string; size: number; generation?: string }[] {
  return listInputFiles(pattern).map((file) => ({ uri: pathToFileURL(file).href, size: fs.statSync(file).size }));
}

requireForSerialization("rox-gcp/io/gcp/gcs/beam-gcs-files", {
  inputPattern,
  listInputObjects,
  readObjectRecords,
  keyByUri,
  objectsOfGroup,
});
