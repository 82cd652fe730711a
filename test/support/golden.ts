import * as fs from "fs";
import * as path from "path";

/**
 * Compares generated text with its committed golden file, byte for byte. With `UPDATE_GOLDEN=1` (e.g.
 * `UPDATE_GOLDEN=1 npx jest test/schemas`) the file is rewritten instead: review the diff before committing it.
 */
export function expectGoldenFile(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}
