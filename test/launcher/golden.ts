import * as path from "path";
import { expectGoldenFile } from "../support/golden";
import { renderPlans, type Plan } from "../../launcher/plan";

const GOLDEN_DIR = path.join(__dirname, "golden");

/** Compares a plan, as `--dry-run` prints it, with `test/launcher/golden/<name>` (`UPDATE_GOLDEN=1` rewrites it). */
export function expectPlanGolden(name: string, plan: Plan): void {
  expectGoldenFile(path.join(GOLDEN_DIR, name), `${renderPlans([plan])}\n`);
}
