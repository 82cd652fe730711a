/**
 * Writes `schemas/generated/<name>.ts` for each schema (or the names given on the command line):
 *   npx tsc -p . && node dist/schemas/generate-types.js [name ...]
 * A test fails when a committed file differs from what this would write.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listContracts, loadContract, schemasDir } from "./load";
import { typeScriptSource } from "./typegen";

export interface GenerateOptions {
  /** Folder of the `.avsc` files; default: the repository's `schemas/`. */
  dir?: string;
  /** Schemas to generate; default: all in `dir`. */
  names?: string[];
}

/** Where the generated type of `name` lives. */
export function generatedTypesPath(name: string, dir: string = schemasDir()): string {
  return path.join(dir, "generated", `${name}.ts`);
}

/** Writes the files; returns their paths. */
export function generateTypes(opts: GenerateOptions = {}): string[] {
  const dir = opts.dir ?? schemasDir();
  const names = opts.names?.length ? opts.names : listContracts(dir);
  return names.map((name) => {
    const file = generatedTypesPath(name, dir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeScriptSource(loadContract(name, { dir })));
    return file;
  });
}

if (require.main === module) {
  for (const file of generateTypes({ names: process.argv.slice(2) })) console.log(`wrote ${file}`);
}
