import * as path from "node:path";
import { expectGoldenFile } from "../support/golden";

export const GOLDEN_DIR = path.join(__dirname, "golden");
export const FIXTURE_SCHEMAS = path.join(__dirname, "..", "fixtures", "schemas");

/** Compares generated text with `test/schemas/golden/<name>` (`UPDATE_GOLDEN=1` rewrites it). */
export function expectGolden(name: string, actual: string): void {
  expectGoldenFile(path.join(GOLDEN_DIR, name), actual);
}

/** JSON goldens are pretty-printed with a final newline, so their diffs read well. */
export function expectJsonGolden(name: string, actual: unknown): void {
  expectGolden(name, `${JSON.stringify(actual, null, 2)}\n`);
}
