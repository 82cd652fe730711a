/**
 * `rox pipeline run --local` end to end: raw event files → the compiled KFP pipeline's steps as local processes
 * (ingest → train → register → gate → score → monitor) → predictions and monitoring rows in the warehouse; a second day adds its rows; rerunning a
 * day adds nothing anywhere. The spec is compiled by the real `kfp` and checked by kfp's own loaders.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { pipelineCommand } from "../../launcher/commands/pipeline";
import { findMlPython, repoRoot } from "../../launcher/models/python";
import { readPipelineSpec, taskOrder } from "../../launcher/pipeline/spec";
import type { LocalRunResult } from "../../launcher/pipeline/local-run";
import { writeFlightSample } from "../../tools/sample/flights";
import { tempDir } from "../support/temp";
import { describeNeeds } from "../support/prerequisites";
import { withDuckDb } from "./fixture";

const describeMl = describeNeeds("ml-python");
const DAYS = ["2001-01-08", "2001-01-09"];

describeMl("the ML pipeline, compiled by kfp and run here", () => {
  let work: ReturnType<typeof tempDir>;
  let specFile: string;
  const cwd = process.cwd();
  beforeAll(async () => {
    work = tempDir("pipeline-local");
    for (const day of DAYS)
      await writeFlightSample({
        outDir: path.join(work.dir, "events"),
        format: "jsonl",
        by: "day",
        from: day,
        to: day.replace(/\d\d$/, (d) => String(Number(d) + 1).padStart(2, "0")),
        limit: 2500,
      });
    specFile = path.join(work.dir, "pipeline.json");
    await silently(() =>
      pipelineCommand(["compile", "--out", specFile, "--image", "europe-docker.pkg.dev/p/rox/rox:1"]),
    );
    process.chdir(work.dir); // the steps' default outputs (.rox/train) land in the test's folder
  }, 300_000);
  afterAll(() => {
    process.chdir(cwd);
    work?.cleanup();
  });

  test("the compiled spec loads with kfp's own loaders, and its steps run rox in the given image", () => {
    const check = `import json, sys
from google.protobuf import json_format
from kfp import components
from kfp.pipeline_spec import pipeline_spec_pb2
spec = json_format.ParseDict(json.load(open(sys.argv[1])), pipeline_spec_pb2.PipelineSpec())
component = components.load_component_from_file(sys.argv[1])
print(json.dumps({"name": spec.pipeline_info.name, "tasks": sorted(spec.root.dag.tasks), "inputs": sorted(component.component_spec.inputs)}))`;
    const out = execFileSync(findMlPython()!, ["-c", check, specFile], {
      env: { ...process.env, PYTHONPATH: path.join(repoRoot(), "python") },
    }).toString();
    expect(JSON.parse(out)).toEqual({
      name: "rox-batch-model",
      tasks: ["rox-ingest", "rox-monitor", "rox-promote", "rox-register", "rox-score", "rox-train"],
      inputs: ["day", "fail_on_alert", "input_template", "model", "platform", "schema", "store", "warehouse"],
    });
    const spec = readPipelineSpec(specFile);
    const order = ["rox-ingest", "rox-train", "rox-register", "rox-promote", "rox-score", "rox-monitor"];
    expect(taskOrder(spec)).toEqual(order);
    // register takes train's result: the model folder (on Google Cloud the CustomJob's AIP_MODEL_DIR, waited for).
    expect(spec.root.dag.tasks["rox-register"].inputs?.parameters?.upstream).toEqual({
      taskOutputParameter: { producerTask: "rox-train", outputParameterKey: "result" },
    });
    const monitor = spec.root.dag.tasks["rox-monitor"];
    expect(monitor.dependentTasks).toEqual(["rox-score"]);
    expect(monitor.inputs?.parameters?.fail_on_alert).toEqual({ componentInputParameter: "fail_on_alert" });
    expect(spec.root.inputDefinitions?.parameters?.fail_on_alert?.defaultValue).toBe("true");
    for (const executor of Object.values(spec.deploymentSpec.executors)) {
      expect(executor.container.image).toBe("europe-docker.pkg.dev/p/rox/rox:1");
      expect(executor.container.command.slice(0, 3)).toEqual(["rox", "pipeline", "step"]);
    }
  });

  test("raw files → predictions; a second day adds its own; a rerun of a day adds nothing", async () => {
    const warehouse = path.join(work.dir, "warehouse.duckdb");
    const run = (day: string) =>
      silently(() =>
        pipelineCommand([
          "run",
          "--local",
          "--spec",
          specFile,
          "--day",
          day,
          "--input-template",
          path.join(work.dir, "events", "flights-{date}.jsonl"),
          "--param",
          `warehouse=${warehouse}`,
          "--param",
          `store=${path.join(work.dir, "models")}`,
        ]),
      ) as Promise<LocalRunResult>;
    const counts = () =>
      withDuckDb(
        warehouse,
        async (w) =>
          (
            await w.query(`SELECT
      (SELECT count(*) FROM flights) AS events, (SELECT count(*) FROM flights_predictions) AS predictions,
      (SELECT count(*) FROM models) AS versions, (SELECT count(*) FROM dead_letters) AS dead,
      (SELECT count(DISTINCT strftime(event_time, '%Y-%m-%d')) FROM flights_predictions) AS days,
      (SELECT count(DISTINCT strftime(scope_start, '%Y-%m-%d')) FROM monitoring WHERE scope = 'day') AS monitored,
      (SELECT count(*) FROM monitoring) AS metrics`)
          )[0],
      );

    const first = await run(DAYS[0]);
    expect(first.tasks.map((t) => t.outputs.result)).toEqual([
      `ingested flights ${DAYS[0]}`,
      expect.stringContaining(path.join(work.dir, ".rox", "train")),
      "flights-delay@1",
      "flights-delay@1 is champion",
      `scored flights ${DAYS[0]} with flights-delay@champion`,
      expect.stringMatching(new RegExp(`^monitored flights ${DAYS[0]} with flights-delay@1: \\d+ rows, 0 alert`)),
    ]);
    const one = await counts();
    expect(one).toMatchObject({ events: "2500", predictions: "2500", versions: "1", dead: "0", days: "1" });
    expect(one.monitored).toBe("1");
    expect(Number(one.metrics)).toBeGreaterThan(0);

    const second = await run(DAYS[1]);
    expect(second.tasks[2].outputs.result).toBe("flights-delay@2");
    const afterTwo = await counts();
    expect(afterTwo).toMatchObject({ events: "5000", predictions: "5000", versions: "2", dead: "0", days: "2" });
    expect(afterTwo.monitored).toBe("2");

    const rerun = await run(DAYS[1]);
    expect(rerun.tasks[2].outputs.result).toBe("flights-delay@2"); // the same data trains the same model: no new version
    expect(await counts()).toEqual(afterTwo);
  }, 900_000);
});

async function silently<T>(run: () => Promise<T>): Promise<T> {
  const [log, write] = [console.log, process.stdout.write];
  console.log = () => undefined;
  try {
    return await run();
  } finally {
    console.log = log;
    process.stdout.write = write;
  }
}
