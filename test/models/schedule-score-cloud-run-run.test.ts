/**
 * The Cloud Run job's container command is a working command: the args `rox schedule score --target cloud-run-job`
 * plans, run as a real `node bin/rox.js` process against a local warehouse with a registered champion, land the day's
 * rows in `flights_predictions`. Run verbatim, `yesterday` is today's yesterday (no flights: nothing scored, exit 0);
 * run with it replaced by the fixture's 2001 day, the day is scored (how `yesterday` resolves is unit-tested in
 * schedule-score-cloud-run-wire.test.ts). The warehouse and store are local: the planned flags point at them.
 */
import * as path from "path";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { modelsCommand } from "../../launcher/commands/models";
import { trainCommand } from "../../launcher/commands/train";
import type { ScoreJobPlans } from "../../launcher/models/cloud-run-plan";
import type { TrainResult } from "../../launcher/train/train-run";
import { captureConsole } from "../support/console-capture";
import { describeNeeds } from "../support/prerequisites";
import { runRox } from "../support/rox-cli";
import { tempDir } from "../support/temp";
import { flightsWarehouse, trainConfig, withDuckDb } from "./fixture";

const DAYS = ["2001-01-08", "2001-01-09", "2001-01-10", "2001-01-11"];

describeNeeds("ml-python")("the Cloud Run job's command, run here", () => {
  captureConsole();
  let work: ReturnType<typeof tempDir>;
  let warehouse: string;
  let store: string;

  beforeAll(async () => {
    work = tempDir("schedule-score-cloud-run");
    warehouse = await flightsWarehouse(work.dir, DAYS, 4000);
    store = path.join(work.dir, "models");
    const trained = (await trainCommand([
      ...["--model", "flights-delay", "--warehouse", warehouse, "--config", trainConfig(work.dir)],
    ])) as TrainResult;
    await modelsCommand(["register", "--from", trained.local!.modelDir, "--warehouse", warehouse, "--store", store]);
    await modelsCommand(["promote", "flights-delay@1", "--warehouse", warehouse, "--store", store]);
  }, 600_000);
  afterAll(() => work?.cleanup());

  test("the planned args score the day into flights_predictions", async () => {
    const plans = (await scheduleCommand([
      ...["score", "--target", "cloud-run-job", "--dry-run", "--cron", "30 3 * * *", "--image", "rox:test"],
      ...["--model", "flights-delay@champion", "--on", "flights", "--warehouse", warehouse, "--store", store],
      ...[
        "--project",
        "rox-test",
        "--region",
        "europe-west1",
        "--service-account",
        "s@rox-test.iam.gserviceaccount.com",
      ],
    ])) as ScoreJobPlans;
    const args = plans.job.request.job.template.template.containers[0].args;
    expect(args.slice(0, 9)).toEqual([
      ...["score", "--model", "flights-delay@champion", "--on", "flights"],
      ...["--partition", "yesterday", "--time-zone", "Etc/UTC"],
    ]);
    // Verbatim, `yesterday` is resolved by the process: a day with no flights here, so nothing is scored.
    const asPlanned = await runRox(args);
    expect({ code: asPlanned.code, stderr: asPlanned.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    expect(asPlanned.stdout).toMatch(/^read +0$/m);
    const day = DAYS[3];
    const run = await runRox(args.map((arg) => (arg === "yesterday" ? day : arg)));
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });

    const counts = await withDuckDb(warehouse, (w) =>
      w.query(`SELECT (SELECT count(*) FROM flights WHERE strftime(date, '%Y-%m-%d') = '${day}') AS events,
        (SELECT count(*) FROM flights_predictions WHERE strftime(event_time, '%Y-%m-%d') = '${day}') AS scored,
        (SELECT count(*) FROM flights_predictions) AS total,
        (SELECT count(*) FROM flights_predictions WHERE isnan(prediction)) AS nan`),
    );
    expect(Number(counts[0].events)).toBeGreaterThan(1000);
    expect(counts[0]).toMatchObject({ scored: counts[0].events, total: counts[0].events, nan: "0" });
  }, 300_000);
});
