import * as fs from "fs";
import * as path from "path";

export const TEMPLATE_GOLDEN_DIR = path.join(__dirname, "golden-template");

/** The images the goldens are written for (any pinned references would do; these read like real ones). */
export const GOLDEN_IMAGES = {
  image: "europe-docker.pkg.dev/rox-demo/rox/launcher:1.0.0",
  workerImage: "europe-docker.pkg.dev/rox-demo/rox/worker:1.0.0",
};

/**
 * Compares generated text with the committed golden file, byte for byte. `UPDATE_GOLDEN=1 npx jest test/dataflow`
 * rewrites the goldens instead; review the diff before committing it.
 */
export function expectTemplateGolden(name: string, actual: string): void {
  const file = path.join(TEMPLATE_GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}
