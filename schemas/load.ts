/** Loading contracts from `<dir>/<name>.avsc`: the only file-system code of the schemas layer. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Contract } from "./contract";
import { parseContract } from "./parse-contract";
import { SchemaError } from "./schema-error";

export interface LoadOptions {
  /** Folder of the `.avsc` files; default: `$ROX_SCHEMAS_DIR`, else the repository's `schemas/` folder. */
  dir?: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const cache = new Map<string, Contract>();
/** Contracts by what the caller asked for: DoFns call loadContract per element, so a hit must touch no file system. */
const byRequest = new Map<string, Contract>();

/** The contract of `name` (e.g. "flights"); parsed once per file path. Throws SchemaError. */
export function loadContract(name: string, opts: LoadOptions = {}): Contract {
  const request = `${name}\u0000${opts.dir ?? ""}\u0000${process.env.ROX_SCHEMAS_DIR ?? ""}`;
  const hit = byRequest.get(request);
  if (hit) return hit;
  if (!NAME.test(name)) throw new SchemaError("not_found", `schema name ${JSON.stringify(name)} is not a file stem`);
  const file = path.resolve(opts.dir ?? schemasDir(), `${name}.avsc`);
  const contract = cache.get(file) ?? { ...parseContract(name, readSchemaJson(file), file), sourcePath: file };
  cache.set(file, contract);
  byRequest.set(request, contract);
  return contract;
}

/** Names of the schemas in `dir` (file stems of `*.avsc`), sorted. */
export function listContracts(dir: string = schemasDir()): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".avsc"))
    .map((file) => file.slice(0, -".avsc".length))
    .sort();
}

/** Forgets parsed contracts, e.g. after a schema file changed under a long-lived process or a test. */
export function clearContractCache(): void {
  cache.clear();
  byRequest.clear();
}

/**
 * `$ROX_SCHEMAS_DIR`, else `schemas/` next to the nearest package.json above this file. Walking up (rather than
 * a fixed `..`) makes the same code work from `schemas/load.ts` under jest and from `dist/schemas/load.js`.
 */
export function schemasDir(): string {
  const fromEnv = process.env.ROX_SCHEMAS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return path.join(dir, "schemas");
    if (path.dirname(dir) === dir) throw new SchemaError("not_found", `no package.json above ${__dirname}`);
  }
}

function readSchemaJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    throw new SchemaError("not_found", `${file}: cannot read schema file`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SchemaError("bad_json", `${file}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
}
