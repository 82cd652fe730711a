/**
 * docker/serve.Dockerfile's ENTRYPOINT, run for real with sh and Node (no Docker engine here): the image's /app is
 * this checkout (compiled dist/, node_modules), so the command line the container starts is the one under test. It
 * runs `rox serve` with the model and store from ROX_MODEL / ROX_MODEL_STORE and the flags of ROX_SERVE_ARGS.
 * (That every file the Dockerfile COPYs is in the build context: test/dataflow/template-build.test.ts.)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** The ENTRYPOINT instruction in shell form (continuation lines joined), with /app pointed at this checkout. */
function entrypoint(): string {
  const lines = fs.readFileSync(path.join(ROOT, "docker", "serve.Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const instruction = lines.split("\n").find((line) => line.startsWith("ENTRYPOINT "));
  if (!instruction) throw new Error("docker/serve.Dockerfile has no ENTRYPOINT");
  return instruction.slice("ENTRYPOINT ".length).replaceAll("/app/", `${ROOT}/`);
}

function start(env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync("/bin/sh", ["-c", entrypoint()], { cwd: ROOT, env: { PATH, HOME, ...env }, encoding: "utf8" });
}

test("the entrypoint runs `rox serve --model $ROX_MODEL --store $ROX_MODEL_STORE $ROX_SERVE_ARGS`", () => {
  const run = start({ ROX_MODEL: "Flights_Delay@champion", ROX_MODEL_STORE: "gs://rox-models/registry" });
  // rox serve read the model from ROX_MODEL and refused the name (exit 2: usage), before loading anything.
  expect(run.stderr).toContain('model "Flights_Delay@champion" must be name, name@alias or name@version');
  expect(run.status).toBe(2);

  const flags = start({
    ROX_MODEL: "flights-delay@champion",
    ROX_MODEL_STORE: "gs://rox-models/registry",
    ROX_SERVE_ARGS: "--warehouse bigquery --project rox-prod --dataset rox_events --port eighty",
  });
  // ROX_SERVE_ARGS reached rox serve as separate flags: the bad --port is the first thing it refuses.
  expect(flags.stderr).toMatch(/--port/);
  expect(flags.stderr).toContain("eighty");
  expect(flags.status).toBe(2);
});

test("without ROX_MODEL or ROX_MODEL_STORE the container stops at once and says which is missing", () => {
  const noModel = start({ ROX_MODEL_STORE: "gs://rox-models/registry" });
  expect(noModel.stderr).toContain("ROX_MODEL: set ROX_MODEL");
  expect(noModel.status).not.toBe(0);
  const noStore = start({ ROX_MODEL: "flights-delay@champion" });
  expect(noStore.stderr).toContain("ROX_MODEL_STORE: set ROX_MODEL_STORE");
  expect(noStore.status).not.toBe(0);
});
