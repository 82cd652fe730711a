import * as fs from "fs";
import * as path from "path";
import type { Readable } from "stream";
import { fileURLToPath } from "url";
import { FileNotFoundError, FileSourceError } from "../errors";
import { globMatcher, splitPattern } from "../files/file-pattern";
import type { ByteRange, FileSource, SkippedInput, SourceObject } from "../ports";
import { clampRange, emptyStream, withMappedErrors } from "../read-stream";
import { listInputs } from "../files/list-files";

/** The file-source role on the local disk: URIs are absolute paths; the walk (and what it skips) is `listInputs`'s. */
export class FolderSource implements FileSource {
  async list(pattern: string, options: { onSkip?: (skipped: SkippedInput) => void } = {}): Promise<SourceObject[]> {
    const { root, glob } = splitPattern(path.resolve(pattern));
    const start = root === "" ? path.sep : root;
    const kind = kindOf(start);
    if (kind === undefined || (glob !== undefined && kind === "file")) return [];
    const base = kind === "file" ? path.dirname(start) : start;
    const matches = glob === undefined ? () => true : globMatcher(glob);
    const relative = (file: string) => path.relative(base, file).split(path.sep).join("/");
    const { files, skipped } = listInputs(start);
    for (const entry of skipped) {
      const file = fileURLToPath(entry.uri);
      if (matches(relative(file))) options.onSkip?.({ uri: file, reason: entry.reason });
    }
    return files
      .map((file) => ({ file, name: relative(file) }))
      .filter(({ name }) => matches(name))
      .map(({ file, name }) => ({ uri: file, name, size: fs.statSync(file).size }));
  }

  async stat(uri: string): Promise<SourceObject> {
    const stats = await statFile(uri);
    return { uri: path.resolve(uri), name: path.basename(uri), size: stats.size };
  }

  async read(uri: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const { start, end } = clampRange(options.range, (await statFile(uri)).size);
    if (start === end) return emptyStream();
    // fs streams take an inclusive end.
    return withMappedErrors(fs.createReadStream(uri, { start, end: end - 1 }), (err) => toSourceError(err, uri));
  }
}

function kindOf(file: string): "file" | "folder" | undefined {
  const stats = fs.statSync(file, { throwIfNoEntry: false });
  if (stats?.isFile()) return "file";
  return stats?.isDirectory() ? "folder" : undefined;
}

async function statFile(uri: string): Promise<fs.Stats> {
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(uri);
  } catch (err) {
    throw toSourceError(err, uri);
  }
  if (!stats.isFile()) throw new FileNotFoundError(uri, { detail: "not a file" });
  return stats;
}

function toSourceError(err: unknown, uri: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return new FileNotFoundError(uri, { cause: err });
  return new FileSourceError(`cannot read ${uri}: ${(err as Error).message}`, uri, { cause: err });
}
