import * as fs from "node:fs";
import * as path from "node:path";

export const GOLDEN_DIR = path.join(__dirname, "golden");
export const FIXTURE_SCHEMAS = path.join(__dirname, "..", "fixtures", "schemas");

/**
 * Compares generated text with the committed golden file. `UPDATE_GOLDEN=1 npx jest test/schemas` rewrites the
 * goldens instead; review the diff before committing it.
 */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}

/** JSON goldens are pretty-printed with a final newline, so their diffs read well. */
export function expectJsonGolden(name: string, actual: unknown): void {
  expectGolden(name, `${JSON.stringify(actual, null, 2)}\n`);
}
