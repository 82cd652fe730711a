import * as fs from "fs";
import * as path from "path";
import { RoxError } from "../../../errors/rox-error";

/** The example trainer has not been compiled (it runs as its own Node process, from `dist/`). */
export class TrainerNotBuiltError extends RoxError {
  readonly kind = "missing-tool";
  constructor(file: string) {
    super(`the example trainer is not compiled (${file} is missing): run \`npm run build\``);
    this.name = "TrainerNotBuiltError";
  }
}

/** `node <dist>/launcher/train/trainer/example-trainer.js`: the local target's default command. */
export function exampleTrainerCommand(): string[] {
  return [process.execPath, exampleTrainerScript()];
}

function exampleTrainerScript(): string {
  const beside = path.join(__dirname, "example-trainer.js");
  if (fs.existsSync(beside)) return beside; // running from dist/
  // Running from the TypeScript sources (jest): use the compiled trainer under the package's dist/.
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (!fs.existsSync(path.join(dir, "package.json"))) continue;
    const compiled = path.join(dir, "dist", "launcher", "train", "trainer", "example-trainer.js");
    if (fs.existsSync(compiled)) return compiled;
    throw new TrainerNotBuiltError(compiled);
  }
  throw new TrainerNotBuiltError(beside);
}
