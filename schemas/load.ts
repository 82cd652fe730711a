/** Loading contracts from `<dir>/<name>.avsc`: the only file-system code of the schemas layer. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Contract } from "./contract";
import { parseContract } from "./parse-contract";
import { SchemaError } from "./schema-error";
import { windowTableName } from "./tables";

export interface LoadOptions {
  /** Folder of the `.avsc` files; default: `$ROX_SCHEMAS_DIR`, else the repository's `schemas/` folder. */
  dir?: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const cache = new Map<string, Contract>();
/** Contracts by what the caller asked for: DoFns call loadContract per element, so a hit must touch no file system. */
const byRequest = new Map<string, Contract>();
/** The tables each sibling schema file writes (lower case), for the shared-table check. */
const siblingCache = new Map<string, Set<string>>();

/** The contract of `name` (e.g. "flights"); parsed once per file path. Throws SchemaError. */
export function loadContract(name: string, opts: LoadOptions = {}): Contract {
  const request = `${name}\u0000${opts.dir ?? ""}\u0000${process.env.ROX_SCHEMAS_DIR ?? ""}`;
  const hit = byRequest.get(request);
  if (hit) return hit;
  if (!NAME.test(name)) throw new SchemaError("not_found", `schema name ${JSON.stringify(name)} is not a file stem`);
  const file = path.resolve(opts.dir ?? schemasDir(), `${name}.avsc`);
  const contract = cache.get(file) ?? parseOwnTables(name, file);
  cache.set(file, contract);
  byRequest.set(request, contract);
  return contract;
}

function parseOwnTables(name: string, file: string): Contract {
  const contract: Contract = { ...parseContract(name, readSchemaJson(file), file), sourcePath: file };
  checkNoSharedTables(contract, file);
  return contract;
}

/**
 * Two schemas of one folder must not write one table (an events table, or a window table `<table>_<window>`): the
 * second would take the first's over. Siblings that do not parse cannot run, so they claim nothing.
 */
function checkNoSharedTables(contract: Contract, file: string): void {
  const own = tablesOf(contract);
  for (const sibling of listContracts(path.dirname(file))) {
    const siblingFile = path.join(path.dirname(file), `${sibling}.avsc`);
    if (siblingFile === file || !NAME.test(sibling)) continue;
    const theirs = siblingTables(sibling, siblingFile);
    const shared = own.find((table) => theirs.has(table.toLowerCase()));
    if (shared) {
      const fix = "give one of them another rox.table";
      const clash = `table ${shared} is also written by schema ${sibling} (${siblingFile})`;
      throw new SchemaError("invalid_attribute", `${file}: ${clash}: ${fix}`);
    }
  }
}

function tablesOf(contract: Contract): string[] {
  return [contract.table, ...(contract.features?.windows ?? []).map((window) => windowTableName(contract, window))];
}

function siblingTables(name: string, file: string): Set<string> {
  let tables = siblingCache.get(file);
  if (!tables) {
    try {
      tables = new Set(tablesOf(parseContract(name, readSchemaJson(file), file)).map((t) => t.toLowerCase()));
    } catch {
      tables = new Set();
    }
    siblingCache.set(file, tables);
  }
  return tables;
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
  siblingCache.clear();
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
