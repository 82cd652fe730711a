import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { FileSourceError } from "./errors";
import { isGcsUri } from "./identifiers/storage";
import { resolveInside, validateRelativePath } from "./identifiers/paths";
import { FolderSource } from "./local/folder-source";
import type { FileSource, SkippedInput, SourceObject } from "./ports";
import type { GcsFileSourceOptions } from "./gcp/gcs/gcs-file-source";

export interface StagedFile {
  localPath: string;
  /** Where the bytes came from (`gs://bucket/object`): what dead letters must name as their source. */
  uri: string;
  size: number;
}

export interface StagedInput {
  dir: string;
  files: StagedFile[];
  /** What the pattern named but the listing passed over (hidden names, markers), with the reason. */
  skipped: SkippedInput[];
}

/** Objects copied at once: enough to overlap round trips, few enough to stay gentle on memory and sockets. */
const CONCURRENCY = 4;

/** The source for an input: Cloud Storage for `gs://…` (its client loaded only then), the local disk otherwise. */
export async function openFileSource(input: string, options: { gcs?: GcsFileSourceOptions } = {}): Promise<FileSource> {
  if (!isGcsUri(input)) return new FolderSource();
  const { GcsFileSource } = await import("./gcp/gcs/gcs-file-source");
  return GcsFileSource.open(options.gcs);
}

/**
 * Copies every object matching `pattern` into `dir` under its name below the pattern's root, so the local job (whose
 * DoFns read files synchronously) can run on them. Every name is checked before a byte is written: one that would
 * land outside `dir` fails the whole staging with `InvalidIdentifierError`. `dir` must be empty or absent, so no stale
 * file joins the input; each file appears under its name only once complete (a hidden part file is renamed).
 */
export async function stageInput(source: FileSource, pattern: string, dir: string): Promise<StagedInput> {
  const root = path.resolve(dir);
  const skipped: SkippedInput[] = [];
  const planned = planStaging(await source.list(pattern, { onSkip: (entry) => skipped.push(entry) }), root);
  prepareEmptyDir(root);
  await copyAll(source, planned);
  const files = planned.map(({ object, localPath }) => ({ localPath, uri: object.uri, size: object.size }));
  return { dir: root, files, skipped };
}

/** A few copies at a time; after the first failure the others finish their current object and take no new one. */
async function copyAll(source: FileSource, planned: { object: SourceObject; localPath: string }[]): Promise<void> {
  const queue = [...planned];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await copyObject(source, next.object, next.localPath);
      } catch (err) {
        queue.length = 0;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
}

function planStaging(objects: SourceObject[], root: string): { object: SourceObject; localPath: string }[] {
  const planned = objects.map((object) => ({
    object,
    localPath: resolveInside(root, validateRelativePath(object.name)),
  }));
  const folders = new Set(planned.flatMap(({ localPath }) => ancestorsBelow(root, localPath)));
  const clash = planned.find(({ localPath }) => folders.has(localPath));
  // Cloud Storage may hold both `a` and `a/b`; a disk cannot.
  if (clash)
    throw new FileSourceError(
      `cannot stage ${clash.object.uri}: another object uses its name as a folder`,
      clash.object.uri,
    );
  return planned;
}

function ancestorsBelow(root: string, file: string): string[] {
  const out: string[] = [];
  for (let dir = path.dirname(file); dir !== root && dir.startsWith(root); dir = path.dirname(dir)) out.push(dir);
  return out;
}

function prepareEmptyDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0)
    throw new FileSourceError(`cannot stage into ${dir}: the folder is not empty`, dir);
}

async function copyObject(source: FileSource, object: SourceObject, localPath: string): Promise<void> {
  fs.mkdirSync(path.dirname(localPath), { recursive: true });
  const part = path.join(path.dirname(localPath), `.staging-${randomBytes(6).toString("hex")}.part`);
  try {
    await pipeline(
      await source.read(object.uri, { generation: object.generation }),
      fs.createWriteStream(part, { flags: "wx" }),
    );
    const written = fs.statSync(part).size;
    if (written !== object.size)
      throw new FileSourceError(
        `${object.uri} changed while it was staged: listed ${object.size} bytes, read ${written}`,
        object.uri,
      );
    fs.renameSync(part, localPath);
  } finally {
    fs.rmSync(part, { force: true });
  }
}
