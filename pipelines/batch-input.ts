import * as path from "path";
import { pathToFileURL } from "url";
import { listInputs } from "../io/files/list-files";
import { InputError } from "../io/errors";
import type { SkippedInput } from "../io/ports";
import { isGcsUri } from "../io/identifiers/storage";
import type { GcsFileSourceOptions } from "../io/gcp/gcs/gcs-file-source";

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
export async function resolveInputFiles(
  input: string,
  stagingDir: string,
  storage?: GcsFileSourceOptions,
): Promise<ResolvedInput> {
  if (!isGcsUri(input)) {
    const { files, skipped } = listInputs(input);
    const local = files.map((file) => ({ path: file, uri: pathToFileURL(path.resolve(file)).href }));
    return someToRead(input, { files: local, skipped });
  }
  const { openFileSource, stageInput } = await import("../io/stage-input");
  const staged = await stageInput(await openFileSource(input, { gcs: storage }), input, stagingDir);
  if (staged.files.length === 0 && staged.skipped.length === 0) throw new InputError(`no objects match ${input}`);
  const copies = staged.files.map((file) => ({ path: file.localPath, uri: file.uri }));
  return someToRead(input, { files: copies, skipped: staged.skipped });
}

/** The files to read and what the input named but the listing skipped (the summary says so); both, never silently. */
export interface ResolvedInput {
  files: InputFile[];
  skipped: SkippedInput[];
}

/** An input whose every match was skipped is an error that says what was skipped and why, not an empty run. */
function someToRead(input: string, resolved: ResolvedInput): ResolvedInput {
  const { files, skipped } = resolved;
  if (files.length > 0 || skipped.length === 0) return resolved;
  const shown = skipped
    .slice(0, 3)
    .map((s) => `${s.uri}: ${s.reason}`)
    .join("; ");
  const more = skipped.length > 3 ? "; …" : "";
  throw new InputError(`nothing to read in ${input}: ${skipped.length} matching file(s) skipped (${shown}${more})`);
}
