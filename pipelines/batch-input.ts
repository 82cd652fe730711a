import * as path from "path";
import { pathToFileURL } from "url";
import { InputError, listInputFiles } from "../io/local/list-files";
import { isGcsUri } from "../io/identifiers/storage";
import type { GcsFileSourceOptions } from "../io/gcp/gcs-file-source";

/** A file the job reads (`path`, on this machine) and the URI its records name as their source. */
export interface InputFile {
  path: string;
  uri: string;
}

/**
 * The batch job's input files. A local path, folder or glob is read in place; a `gs://` pattern is staged into
 * `stagingDir` first — the SDK's DoFns cannot run async code, so they read local files — and keeps its `gs://` URIs,
 * so dead letters name the object, not the staged copy. The storage client is loaded only for `gs://` input.
 */
export async function resolveInputFiles(input: string, stagingDir: string, storage?: GcsFileSourceOptions): Promise<InputFile[]> {
  if (!isGcsUri(input)) return listInputFiles(input).map((file) => ({ path: file, uri: pathToFileURL(path.resolve(file)).href }));
  const { openFileSource, stageInput } = await import("../io/stage-input");
  const staged = await stageInput(await openFileSource(input, { gcs: storage }), input, stagingDir);
  if (staged.files.length === 0) throw new InputError(`no objects match ${input}`);
  return staged.files.map((file) => ({ path: file.localPath, uri: file.uri }));
}
