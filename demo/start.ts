import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { writeFlightSample } from "../tools/sample/flights";
import { injectFaults } from "../tools/sample/faults";
import { readJsonLines } from "../io/files/json-lines";
import { DEFAULT_WAREHOUSE, withWarehouse } from "../launcher/warehouse";
import { main as cliMain } from "../launcher/main";

const DEMO_DIR = path.join(".rox", "demo");
const EVENTS_DIR = path.join(DEMO_DIR, "flights-2001-01");

/**
 * `npm start`: a month of real flights → event files → the batch job → the streaming job on a later day → the XGBoost
 * model trained, registered, promoted and scoring a day into `flights_predictions` → one live prediction from
 * `rox serve` → the scored day monitored, and the report of it all written.
 */
export async function demo(): Promise<number> {
  await ensureSample();
  console.log(`\n== rox batch --input ${EVENTS_DIR} --schema flights (warehouse ${DEFAULT_WAREHOUSE})`);
  const code = await cliMain([
    "batch",
    "--input",
    EVENTS_DIR,
    "--schema",
    "flights",
    "--summary",
    path.join(DEMO_DIR, "batch-summary.json"),
  ]);
  if (code !== 0) return code;
  await previewTables();
  const streamed = await streamDemo();
  if (streamed !== 0) return streamed;
  // Last, the batch model: trained on what both jobs wrote, registered, promoted (gated), and a day scored.
  const { modelDemo } = await import("./model-demo");
  const modelled = await modelDemo(cliMain);
  if (modelled !== 0) return modelled;
  // One live prediction from `rox serve`.
  const served = await (await import("./serve-demo")).serveDemo();
  if (served !== 0) return served;
  return monitorDemo();
}

const REPORT = path.join(DEMO_DIR, "report.html");

/** Last, the model watched: drift and data quality of the scored day, then one HTML report of runs, drift, predictions. */
async function monitorDemo(): Promise<number> {
  const { SCORE_DAY } = await import("./model-demo");
  const monitor = ["monitor", "--model", "flights-delay@champion", "--on", "flights", "--partition", SCORE_DAY];
  console.log(`\n== rox ${monitor.join(" ")}`);
  const monitored = await cliMain(monitor);
  if (monitored !== 0) return monitored;
  console.log(`\n== rox report --out ${REPORT}`);
  return cliMain(["report", "--out", REPORT]);
}

const STREAM_DAY = "2001-02-01";

/** Then the streaming job: a day of real flights replayed through the Pub/Sub emulator, with re-sends and disorder. */
async function streamDemo(): Promise<number> {
  const dayDir = path.join(DEMO_DIR, `flights-${STREAM_DAY}`);
  if (!fs.existsSync(dayDir))
    await writeFlightSample({ outDir: dayDir, format: "jsonl", by: "day", from: STREAM_DAY, to: "2001-02-02" });
  const { startEmulator } = await import("../io/pubsub/emulator");
  const stateFile = path.join(DEMO_DIR, "pubsub-emulator.json");
  console.log(`\n== rox emulator start (state in ${stateFile})`);
  const emulator = await startEmulator({ stateFile });
  try {
    const host = ["--host", emulator.host];
    const { openSubscription } = await import("../io/pubsub/open-subscription");
    // The job did not create this subscription, so it runs at least one ack deadline before stopping idle (messages a
    // killed run left leased come back only then): a short one keeps the demo short.
    await openSubscription({
      host: emulator.host,
      project: "rox-local",
      subscription: "flights-stream",
      topic: "flights-events",
      ackDeadlineSeconds: 15,
    });
    console.log(
      `== rox publish --topic flights-events --from ${dayDir} --rate 4000 --duplicates 0.02 --shuffle-within 120  (in the background, log in ${DEMO_DIR}/publish.log)`,
    );
    const publisher = spawnRox([
      "publish",
      "--topic",
      "flights-events",
      "--from",
      dayDir,
      "--rate",
      "4000",
      "--duplicates",
      "0.02",
      "--shuffle-within",
      "120",
      ...host,
    ]);
    console.log("== rox stream --subscription flights-stream --schema flights --idle-timeout 5");
    const code = await cliMain([
      "stream",
      "--subscription",
      "flights-stream",
      "--schema",
      "flights",
      "--idle-timeout",
      "5",
      "--summary",
      path.join(DEMO_DIR, "stream-summary.json"),
      ...host,
    ]);
    await publisher;
    return code;
  } finally {
    await emulator.stop();
    console.log("== rox emulator stop");
  }
}

/** A rox command in its own process, its output in a log file so it does not mix with the stream's progress line. */
function spawnRox(args: string[]): Promise<number | null> {
  const log = fs.openSync(path.join(DEMO_DIR, `${args[0]}.log`), "w");
  const child = spawn(process.execPath, [path.join(__dirname, "..", "..", "bin", "rox.js"), ...args], {
    stdio: ["ignore", log, log],
  });
  return new Promise((resolve) => child.once("exit", (code) => (fs.closeSync(log), resolve(code))));
}

async function ensureSample(): Promise<void> {
  if (fs.existsSync(path.join(EVENTS_DIR, "flights-2001-01-31.jsonl"))) return;
  console.log(`== rox sample flights --out ${EVENTS_DIR} --format jsonl --by day --from 2001-01-01 --to 2001-02-01`);
  const result = await writeFlightSample({
    outDir: EVENTS_DIR,
    format: "jsonl",
    by: "day",
    from: "2001-01-01",
    to: "2001-02-01",
  });
  console.log(`wrote ${result.rows.toLocaleString("en-US")} real flights to ${result.files.length} daily files`);
  writeInjectedFaults(result.files[0].path);
}

/** A separate, clearly named file of faulty copies of real events, so the run shows dead letters and duplicates. */
function writeInjectedFaults(realFile: string): void {
  const events: Record<string, unknown>[] = [];
  for (const event of readJsonLines(realFile)) if (events.push(event) >= 50) break;
  const faults = injectFaults(events, 5);
  fs.writeFileSync(path.join(EVENTS_DIR, "injected-faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
  console.log(`wrote ${faults.length} injected faults (bad records and re-sent duplicates) to injected-faults.jsonl`);
}

async function previewTables(): Promise<void> {
  const previews: [string, string][] = [
    [
      "flights",
      "SELECT event_id, date, delay, distance, origin, destination, hour_of_day, day_of_week, route, is_delayed FROM flights ORDER BY date, event_id LIMIT 5",
    ],
    [
      "flights_origin_hourly (busiest windows)",
      "SELECT origin, window_start, window_end, flights, round(mean_delay, 2) AS mean_delay, max_delay, round(delayed_share, 3) AS delayed_share FROM flights_origin_hourly ORDER BY flights DESC, origin LIMIT 5",
    ],
    [
      "dead_letters",
      "SELECT errorStage, errorClass, errorMessage, sourceUri || ':' || sourceLine AS source FROM dead_letters ORDER BY sourceUri, sourceLine LIMIT 8",
    ],
  ];
  await withWarehouse({ kind: "duckdb", file: DEFAULT_WAREHOUSE }, async (warehouse) => {
    for (const [title, sql] of previews) {
      console.log(`\n== ${title}`);
      console.table(await warehouse.query(sql));
    }
  });
}

if (require.main === module) {
  demo().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
