import * as fs from "fs";
import * as path from "path";
import { renderPlans, type Plan } from "../../launcher/plan";

const GOLDEN_DIR = path.join(__dirname, "golden");

/**
 * Compares a plan, as `--dry-run` prints it, with its committed golden file, byte for byte.
 * `UPDATE_GOLDEN=1 npx jest test/launcher/dataflow-plan.test.ts` rewrites them; review the diff before committing.
 */
export function expectPlanGolden(name: string, plan: Plan): void {
  const file = path.join(GOLDEN_DIR, name);
  const text = `${renderPlans([plan])}\n`;
  if (process.env.UPDATE_GOLDEN === "1") return fs.writeFileSync(file, text);
  if (!fs.existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 to create it`);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}
