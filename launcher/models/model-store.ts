/**
 * Where registered models' files live: a local folder (`.rox/models/`, the default) or a Cloud Storage prefix
 * (`gs://bucket/models`). A version is `<store>/<name>/v<version>/` with only the safe files below: XGBoost's JSON and
 * UBJSON (`model.bst`) and the card and metrics as JSON — never a pickle. Every URI the registry hands back is
 * checked to lie inside its store before anything is read from it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveInside, validateRelativePath } from "../../io/identifiers/paths";
import { InvalidIdentifierError } from "../../io/identifiers/project";
import { gcsUri, isGcsUri, parseGcsUri, validateObjectName } from "../../io/identifiers/storage";
import type { GcsClientOptions } from "../../io/gcp/gcs/gcs-client";

export const DEFAULT_MODEL_STORE = path.join(".rox", "models");
/** The files a version may hold; anything else in a trained model's folder is not copied, and never loaded. */
export const MODEL_FILES = ["model.json", "model.bst", "card.json", "metrics.json"] as const;
export const REQUIRED_FILES = ["model.json", "card.json"] as const;

export interface ModelStore {
  /** The store's root, as recorded in the registry: an absolute folder or `gs://bucket/prefix`. */
  readonly root: string;
  /** Copies the safe files of `dir` to `<name>/v<version>/`; returns that version's URI. */
  put(name: string, version: number, dir: string): Promise<string>;
  /** A file of a stored version; `uri` must lie inside this store. */
  read(uri: string, file: (typeof MODEL_FILES)[number]): Promise<Buffer>;
}

export function versionPath(name: string, version: number): string {
  return validateRelativePath(`${name}/v${version}`);
}

export function safeFilesIn(dir: string): string[] {
  const missing = REQUIRED_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) throw new InvalidIdentifierError("model folder", dir, `holds no ${missing.join(", ")}`);
  return MODEL_FILES.filter((f) => fs.existsSync(path.join(dir, f)));
}

export class LocalModelStore implements ModelStore {
  readonly root: string;

  constructor(root: string = DEFAULT_MODEL_STORE) {
    this.root = path.resolve(root);
  }

  async put(name: string, version: number, dir: string): Promise<string> {
    const target = resolveInside(this.root, versionPath(name, version));
    fs.mkdirSync(target, { recursive: true });
    for (const file of safeFilesIn(dir)) fs.copyFileSync(path.join(dir, file), path.join(target, file));
    return target;
  }

  async read(uri: string, file: (typeof MODEL_FILES)[number]): Promise<Buffer> {
    return fs.readFileSync(path.join(this.inside(uri), file));
  }

  /** A version's folder, refused unless it is a version folder inside the store. */
  inside(uri: string): string {
    if (isGcsUri(uri))
      throw new InvalidIdentifierError("model URI", uri, `must lie inside the local store ${this.root}`);
    const resolved = resolveInside(this.root, uri);
    if (!/^[a-z][a-z0-9-]*\/v\d+$/.test(path.relative(this.root, resolved).split(path.sep).join("/"))) {
      throw new InvalidIdentifierError("model URI", uri, `must be <name>/v<version> inside ${this.root}`);
    }
    return resolved;
  }
}

export class GcsModelStore implements ModelStore {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    readonly root: string,
    private readonly options: GcsClientOptions = {},
  ) {
    const { bucket, object } = parseGcsUri(root.replace(/\/+$/, ""));
    this.bucket = bucket;
    this.prefix = object ? `${validateRelativePath(object)}/` : "";
    this.root = gcsUri(bucket, this.prefix).replace(/\/$/, "");
  }

  async put(name: string, version: number, dir: string): Promise<string> {
    const storage = await this.client();
    const folder = `${this.prefix}${versionPath(name, version)}`;
    for (const file of safeFilesIn(dir))
      await storage
        .bucket(this.bucket)
        .upload(path.join(dir, file), { destination: validateObjectName(`${folder}/${file}`) });
    return gcsUri(this.bucket, folder);
  }

  async read(uri: string, file: (typeof MODEL_FILES)[number]): Promise<Buffer> {
    const object = `${this.objectInside(uri)}/${file}`;
    const [bytes] = await (await this.client()).bucket(this.bucket).file(object).download();
    return bytes;
  }

  private objectInside(uri: string): string {
    const { bucket, object } = parseGcsUri(uri);
    const relative = object.startsWith(this.prefix) ? object.slice(this.prefix.length) : undefined;
    if (
      bucket !== this.bucket ||
      relative === undefined ||
      !/^[a-z][a-z0-9-]*\/v\d+$/.test(validateRelativePath(relative))
    ) {
      throw new InvalidIdentifierError("model URI", uri, `must be <name>/v<version> inside ${this.root}`);
    }
    return object;
  }

  private async client() {
    const { createStorageClient } = await import("../../io/gcp/gcs/gcs-client");
    return createStorageClient(this.options);
  }
}

export function openModelStore(root: string | undefined, options: GcsClientOptions = {}): ModelStore {
  const chosen = root ?? DEFAULT_MODEL_STORE;
  return isGcsUri(chosen) ? new GcsModelStore(chosen, options) : new LocalModelStore(chosen);
}

/**
 * A trained model's folder as a local one: itself, or (a trainer's `gs://…/model`, AIP_MODEL_DIR of a Vertex AI
 * CustomJob) its safe files downloaded into a scratch folder for the call — nothing else there is read.
 */
export async function withModelFolder<T>(
  from: string,
  options: GcsClientOptions,
  run: (dir: string) => Promise<T>,
): Promise<T> {
  if (!isGcsUri(from)) return run(from);
  const { bucket, object } = parseGcsUri(from.replace(/\/+$/, ""));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-model-from-gcs-"));
  try {
    const { createStorageClient } = await import("../../io/gcp/gcs/gcs-client");
    const files = (await createStorageClient(options)).bucket(bucket);
    for (const name of MODEL_FILES) {
      const file = files.file(validateObjectName(object ? `${object}/${name}` : name));
      if ((await file.exists())[0]) await file.download({ destination: path.join(dir, name) });
    }
    safeFilesIn(dir);
    return await run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
