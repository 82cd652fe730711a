import * as path from "path";
import { expectGoldenFile } from "../support/golden";

export const TEMPLATE_GOLDEN_DIR = path.join(__dirname, "golden-template");

/** The images the goldens are written for (any pinned references would do; these read like real ones). */
export const GOLDEN_IMAGES = {
  image: "europe-docker.pkg.dev/rox-demo/rox/launcher:1.0.0",
  workerImage: "europe-docker.pkg.dev/rox-demo/rox/worker:1.0.0",
};

/** Compares generated text with `test/dataflow/golden-template/<name>` (`UPDATE_GOLDEN=1` rewrites it). */
export function expectTemplateGolden(name: string, actual: string): void {
  expectGoldenFile(path.join(TEMPLATE_GOLDEN_DIR, name), actual);
}
