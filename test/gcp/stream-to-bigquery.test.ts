import * as fs from "fs";
import * as path from "path";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { main } from "../../launcher/main";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// End to end on the emulators: real flights published to the Pub/Sub emulator (some re-published, as a retrying
// publisher does), read by `rox stream --source pubsub` through Google's client, landed in bqemulator exactly once.
const workspace = useEmulatorWorkspace("stream-bq");
const bq = useBigQueryEmulator();
const EVENTS = 1500;

itNeeds("pubsub-emulator", "bigquery-emulator")(
  "Pub/Sub emulator → stream job (official client) → BigQuery emulator: each event once, the summary reconciles",
  async () => {
    const { dir } = workspace;
    const emulator = workspace.emulator!;
    const bigquery = bq.emulator!;
    const sample = await writeFlightSample({
      outDir: path.join(dir, "events"),
      format: "jsonl",
      by: "month",
      from: "2001-03-01",
      limit: EVENTS,
    });
    const project = bigquery.projectId;
    const source = await openSubscription({
      host: emulator.host,
      project,
      subscription: "flights-bq",
      topic: "flights",
    });
    await source.close();
    const published = await publishEvents({
      host: emulator.host,
      project,
      topic: "flights",
      from: path.join(dir, "events"),
      duplicates: 0.1,
    });
    expect(published.duplicatesPublished).toBeGreaterThan(0);

    const summaryFile = path.join(dir, "summary.json");
    const args = [
      "stream",
      "--subscription",
      "flights-bq",
      "--schema",
      "flights",
      "--source",
      "pubsub",
      "--host",
      emulator.host,
      "--project",
      project,
      "--warehouse",
      "bigquery",
      "--dataset",
      "rox_stream",
      "--bigquery-endpoint",
      bigquery.apiEndpoint,
      "--idle-timeout",
      "3",
      "--summary",
      summaryFile,
    ];
    expect(await main(args)).toBe(0);
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
    expect(summary.read).toBe(sample.rows + published.duplicatesPublished);
    expect(summary).toMatchObject({ written: sample.rows, duplicates: published.duplicatesPublished, deadLettered: 0 });

    const warehouse = await BigQueryWarehouse.open({
      projectId: project,
      dataset: "rox_stream",
      apiEndpoint: bigquery.apiEndpoint,
    });
    try {
      const [row] = await warehouse.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
      expect({ n: Number(row.n), ids: Number(row.ids) }).toStrictEqual({ n: sample.rows, ids: sample.rows });
      const [run] = await warehouse.query("SELECT `read`, written, duplicates FROM job_runs WHERE job = 'stream'");
      expect(Number(run.read)).toBe(summary.read);
    } finally {
      await warehouse.close();
    }
  },
);
