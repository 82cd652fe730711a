import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { bundleTemplateMain } from "../../launcher/template/bundle";
import { tempDir } from "../support/temp";

// The bundled entry point runs alone in an empty temp folder (no node_modules anywhere above it, so an external
// module it tried to load would fail), with every socket and DNS lookup made to throw: `--validate-only` must parse
// and check its parameters without Beam's runner, a Google client or the network.
const ROOT = path.resolve(__dirname, "..", "..");

const NO_NETWORK_GUARD = `
const net = require("net");
const dns = require("dns");
const refuse = (what) => () => { throw new Error("network access during --validate-only: " + what); };
net.Socket.prototype.connect = refuse("socket connect");
dns.lookup = refuse("dns lookup");
dns.promises.lookup = refuse("dns lookup");
process.on("exit", () => {
  const loaded = Object.keys(require.cache).filter((m) => m.includes("node_modules"));
  if (loaded.length > 0) { process.stderr.write("loaded from node_modules: " + loaded.join(", ")); process.exitCode = 99; }
});
`;

describe("the bundled Flex Template entry point", () => {
  const work = tempDir("template-bundle");
  const bundle = path.join(work.dir, "template-main.js");
  const guard = path.join(work.dir, "no-network.js");
  afterAll(() => work.cleanup());

  beforeAll(async () => {
    await bundleTemplateMain(ROOT, bundle);
    fs.writeFileSync(guard, NO_NETWORK_GUARD);
  });

  function runBundle(args: string[]) {
    return spawnSync(process.execPath, ["--require", guard, bundle, ...args], {
      cwd: work.dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: work.dir },
    });
  }

  test("keeps apache-beam, DuckDB and the Google clients out of the bundle", () => {
    const text = fs.readFileSync(bundle, "utf8");
    expect(text).not.toMatch(/node_modules\/(apache-beam|@duckdb|@google-cloud|google-gax)\//);
  });

  test("--validate-only prints the parsed job, parameters and Dataflow options, offline", () => {
    const run = runBundle([
      "--validate-only",
      "--input=gs://rox-events/flights/2001-01-*.jsonl",
      "--schema=flights",
      "--dataset=rox_events",
      "--format=",
      "--project=rox-demo",
      "--temp_location=gs://rox-tmp/temp",
      "--sdk_container_image=europe-docker.pkg.dev/rox-demo/rox/worker:1.0.0",
    ]);
    expect({ status: run.status, stderr: run.stderr }).toStrictEqual({ status: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toStrictEqual({
      job: "batch",
      validateOnly: true,
      parameters: { input: "gs://rox-events/flights/2001-01-*.jsonl", schema: "flights", dataset: "rox_events" },
      pipelineOptions: {
        project: "rox-demo",
        tempLocation: "gs://rox-tmp/temp",
        sdkContainerImage: "europe-docker.pkg.dev/rox-demo/rox/worker:1.0.0",
      },
    });
  });

  test("the stream job, told apart by its subscription", () => {
    const run = runBundle([
      "--validate-only",
      "--subscription=projects/rox-demo/subscriptions/flights-stream",
      "--schema=flights",
      "--dataset=rox_events",
      "--runId=20010102t020000-3fa2c1",
    ]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ job: "stream", parameters: { runId: "20010102t020000-3fa2c1" } });
  });

  test("a stream parameter that cannot apply on Dataflow is refused with its reason (exit 3)", () => {
    const run = runBundle([
      "--validate-only",
      "--subscription=projects/rox-demo/subscriptions/flights-stream",
      "--schema=flights",
      "--dataset=rox_events",
      "--maxDeliveryAttempts=7",
    ]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("does not report delivery attempts");
  });

  test("a bad parameter exits non-zero with every problem, before anything is launched", () => {
    const run = runBundle([
      "--validate-only",
      "--input=/local/flights",
      "--schema=flights",
      "--dataset=rox_events",
      "--format=xml",
    ]);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'rox template: invalid parameters for "rox batch: event files to BigQuery":\n' +
        '  - "input" = "/local/flights" does not match ^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$\n' +
        '  - "format" = "xml" does not match ^(jsonl|csv|avro|parquet)$\n',
    );
  });

  test("a missing parameter fails the same way without --validate-only: nothing is loaded to launch", () => {
    const run = runBundle(["--subscription=projects/rox-demo/subscriptions/flights-stream", "--schema=flights"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('missing required parameter "dataset"');
  });
});
