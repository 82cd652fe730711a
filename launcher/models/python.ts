import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MlEnvironmentMissingError } from "./errors";

/** The repository root (above `launcher/`, from the sources or from `dist/`). */
export function repoRoot(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "python", "rox_ml"))) return dir;
  }
  throw new Error(`no repository root with python/rox_ml above ${__dirname}`);
}

/** `$ROX_ML_DIR` (default `.rox/ml` in the repository): where scripts/setup-ml.sh installs the venv. */
export function mlDir(): string {
  return process.env.ROX_ML_DIR ? path.resolve(process.env.ROX_ML_DIR) : path.join(repoRoot(), ".rox", "ml");
}

export function mlPythonPath(): string {
  return path.join(mlDir(), "venv", "bin", "python");
}

/** The venv's Python, or undefined when it is not installed (tests skip with that reason). */
export function findMlPython(): string | undefined {
  const python = mlPythonPath();
  return fs.existsSync(python) ? python : undefined;
}

/** `python -m rox_ml.<module>` with the package on its path. */
export function mlCommand(module: string): { command: string[]; env: Record<string, string> } {
  const python = findMlPython();
  if (!python) throw new MlEnvironmentMissingError(mlPythonPath());
  return {
    command: [python, "-m", `rox_ml.${module}`],
    env: { PYTHONPATH: path.join(repoRoot(), "python"), PYTHONDONTWRITEBYTECODE: "1" },
  };
}

/** XGBoost's own predictions for a Parquet file of feature rows (python/rox_ml/predict.py): the parity and bench reference. */
export function xgboostPredictions(
  modelDir: string,
  rows: string,
  out: string,
  repeat = 1,
): { event_ids: string[]; predictions: number[]; seconds: number[]; dmatrixSeconds: number[] } {
  const { command, env } = mlCommand("predict");
  const [program, ...args] = command;
  execFileSync(program, [...args, "--model-dir", modelDir, "--rows", rows, "--out", out, "--repeat", String(repeat)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return JSON.parse(fs.readFileSync(out, "utf8"));
}
