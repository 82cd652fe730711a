import * as path from "path";
import type { Readable } from "stream";
import type { File, Storage } from "@google-cloud/storage";
import { FileNotFoundError, FileSourceError } from "../../errors";
import { globMatcher, isHiddenName, splitPattern } from "../../files/file-pattern";
import { gcsUri, parseGcsUri } from "../../identifiers/storage";
import type { ByteRange, FileSource, SkippedInput, SourceObject } from "../../ports";
import { clampRange, emptyStream, withMappedErrors } from "../../read-stream";
import { createStorageClient, httpStatusOf, type GcsClientOptions } from "./gcs-client";

export interface GcsFileSourceOptions extends GcsClientOptions {
  /** Objects per list request (Cloud Storage's maximum, 1,000, by default; tests lower it to cross pages). */
  pageSize?: number;
}

/**
 * The file-source role on Cloud Storage. Globs are matched here, on names listed by prefix: the emulator ignores
 * `matchGlob`, and one matcher for both sources keeps their semantics identical.
 */
export class GcsFileSource implements FileSource {
  private constructor(
    private readonly storage: Storage,
    private readonly pageSize: number,
  ) {}

  static async open(options: GcsFileSourceOptions = {}): Promise<GcsFileSource> {
    return new GcsFileSource(await createStorageClient(options), options.pageSize ?? 1000);
  }

  async list(pattern: string, options: { onSkip?: (skipped: SkippedInput) => void } = {}): Promise<SourceObject[]> {
    const { bucket, object } = parseGcsUri(pattern);
    const { root, glob } = splitPattern(object);
    if (glob === undefined && root !== "" && !root.endsWith("/")) {
      const exact = await this.findObject(bucket, root);
      if (exact) return [exact];
      return this.listBelow(bucket, `${root}/`, () => true, options.onSkip);
    }
    return this.listBelow(bucket, root, glob === undefined ? () => true : globMatcher(glob), options.onSkip);
  }

  async stat(uri: string, generation?: string): Promise<SourceObject> {
    const { bucket, object } = parseGcsUri(uri);
    try {
      const [metadata] = await this.storage.bucket(bucket).file(object, { generation }).getMetadata();
      return {
        uri,
        name: path.posix.basename(object),
        size: Number(metadata.size),
        generation: String(metadata.generation),
      };
    } catch (err) {
      throw toSourceError(err, uri);
    }
  }

  /** Reads the generation asked for, else the one current at the `stat`, so a concurrent overwrite cannot mix versions. */
  async read(uri: string, options: { range?: ByteRange; generation?: string } = {}): Promise<Readable> {
    const found = await this.stat(uri, options.generation);
    const { start, end } = clampRange(options.range, found.size);
    if (start === end) return emptyStream();
    const { bucket, object } = parseGcsUri(uri);
    const file = this.storage.bucket(bucket).file(object, { generation: found.generation });
    // The client validates checksums only when no range is given (any start/end turns it off), so a whole-object read
    // passes none; a range takes an inclusive end.
    const whole = start === 0 && end === found.size;
    const stream = whole
      ? file.createReadStream({ validation: "crc32c" })
      : file.createReadStream({ start, end: end - 1 });
    return withMappedErrors(stream, (err) => toSourceError(err, uri));
  }

  private async findObject(bucket: string, object: string): Promise<SourceObject | undefined> {
    try {
      return await this.stat(gcsUri(bucket, object));
    } catch (err) {
      if (err instanceof FileNotFoundError) return undefined;
      throw err;
    }
  }

  private async listBelow(
    bucket: string,
    prefix: string,
    matches: (name: string) => boolean,
    onSkip?: (skipped: SkippedInput) => void,
  ): Promise<SourceObject[]> {
    const found: SourceObject[] = [];
    for await (const file of this.pages(bucket, prefix)) {
      const name = file.name.slice(prefix.length);
      // A name ending in "/" is a folder placeholder, not data.
      if (name === "" || name.endsWith("/") || !matches(name)) continue;
      if (isHiddenName(name)) {
        const reason = `hidden or a marker (a part of its name starts with "." or "_")`;
        onSkip?.({ uri: gcsUri(bucket, file.name), reason });
        continue;
      }
      found.push({
        uri: gcsUri(bucket, file.name),
        name,
        size: Number(file.metadata.size),
        generation: String(file.metadata.generation),
      });
    }
    return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async *pages(bucket: string, prefix: string): AsyncGenerator<File> {
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.listPage(bucket, prefix, pageToken);
      yield* files;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  private async listPage(bucket: string, prefix: string, pageToken: string | undefined) {
    try {
      return await this.storage
        .bucket(bucket)
        .getFiles({ prefix, pageToken, maxResults: this.pageSize, autoPaginate: false });
    } catch (err) {
      if (httpStatusOf(err) === 404)
        throw new FileNotFoundError(`gs://${bucket}`, { cause: err, detail: "no such bucket" });
      throw toSourceError(err, gcsUri(bucket, prefix));
    }
  }
}

function toSourceError(err: unknown, uri: string): Error {
  if (httpStatusOf(err) === 404) return new FileNotFoundError(uri, { cause: err });
  return new FileSourceError(`cannot read ${uri}: ${(err as Error).message}`, uri, { cause: err });
}
