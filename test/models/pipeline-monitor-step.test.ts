/**
 * The ML pipeline's monitor step with `platform=gcp`: its warehouse is BigQuery (the emulator here), and the step runs
 * the real `rox monitor` there through main's command table. Real flights land in the emulator by the batch job, a
 * registered card is the champion; the step's rows land in BigQuery's `monitoring` table, a rerun replaces them, and
 * with fail-on-alert an alert fails the step with exit 11.
 */
import * as path from "path";
import { commands } from "../../launcher/main";
import { exitCodeOf, MonitoringAlertError } from "../../launcher/errors";
import { runStep, type StepOptions } from "../../launcher/pipeline/steps";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsDelayCard, writeModelFolder } from "../monitor/card-fixture";

const DATASET = "rox_pipeline";
const DAY = "2001-01-15";

describeNeeds("bigquery-emulator")("the pipeline's monitor step on Google Cloud (BigQuery on the emulator)", () => {
  const bq = useBigQueryEmulator();
  const work = tempDir("pipeline-monitor-gcp");
  const store = path.join(work.dir, "models");
  captureConsole();

  beforeAll(async () => {
    const input = path.join(work.dir, "events");
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-13",
      to: "2001-01-16",
      limit: 200,
    });
    await inEmulatorDataset(bq.emulator!, DATASET, (w) =>
      runBatchJob({ input, schema: "flights", workDir: work.dir }, w),
    );
    const folder = writeModelFolder(path.join(work.dir, "trained"), flightsDelayCard());
    await commands.models(["register", "--from", folder, "--alias", "champion", "--store", store, ...where()]);
  }, 300_000);
  afterAll(() => work.cleanup());

  const where = () => [
    ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", DATASET],
    ...["--bigquery-endpoint", bq.emulator!.apiEndpoint],
  ];
  // The step's own argv names `--warehouse bigquery --project --dataset`, as in its container on Vertex AI; the
  // emulator's address is the one thing added, where Google's endpoint would be the default.
  const calls: string[][] = [];
  const cli = (argv: string[]) => {
    calls.push(argv);
    return commands[argv[0]]([...argv.slice(1), "--bigquery-endpoint", bq.emulator!.apiEndpoint]);
  };
  const options = (failOnAlert: boolean): StepOptions => ({
    day: DAY,
    schema: "flights",
    model: "flights-delay",
    inputTemplate: "",
    platform: "gcp",
    warehouse: `${bq.emulator!.projectId}.${DATASET}`,
    store,
    upstream: "",
    failOnAlert,
  });
  const stored = () =>
    inEmulatorDataset(bq.emulator!, DATASET, (w) =>
      w.query("SELECT model, version, scope, metric, alert, run_id FROM monitoring"),
    );

  test("monitors the scored day in BigQuery: its rows land; a rerun replaces them; an alert exits 11", async () => {
    const result = await runStep("monitor", options(false), cli);
    const [, rows, alerts] = /^monitored flights 2001-01-15 with flights-delay@1: (\d+) rows, (\d+) alert\(s\)$/
      .exec(result)!
      .map(Number);
    expect(calls).toEqual([
      [
        ...["monitor", "--model", "flights-delay@champion", "--on", "flights", "--partition", DAY],
        ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", DATASET, "--store", store],
      ],
    ]);
    const first = await stored();
    expect(rows).toBeGreaterThan(0);
    expect(first).toHaveLength(rows);
    expect(new Set(first.map((r) => `${r.model}@${r.version} ${r.scope}`))).toEqual(new Set(["flights-delay@1 day"]));
    // the card's tiny baseline (distances 0–100) is far from real flights: the day alerts
    expect(alerts).toBeGreaterThan(0);
    expect(first.filter((r) => r.alert)).toHaveLength(alerts);

    const failed = await runStep("monitor", options(true), cli).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(MonitoringAlertError);
    expect(exitCodeOf(failed)).toBe(11);
    const after = await stored();
    expect(after).toHaveLength(rows);
    expect(new Set(after.map((r) => r.run_id)).size).toBe(1);
    expect(after[0].run_id).not.toBe(first[0].run_id);
  }, 300_000);
});
