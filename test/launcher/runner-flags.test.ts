import { main } from "../../launcher/main";
import { captureConsole } from "../support/console-capture";

// `--runner dataflow|flink` submits the portable graph; everything it needs is checked before any helper starts or any
// request leaves, each failure one readable line with its exit code.
const { errors } = captureConsole();

const BATCH = [
  "batch",
  "--input",
  "gs://rox-landing/flights/*.jsonl",
  "--schema",
  "flights",
  "--dataset",
  "rox_events",
  "--project",
  "my-ml-project",
];
const STREAM = [
  "stream",
  "--subscription",
  "flights",
  "--schema",
  "flights",
  "--dataset",
  "rox_events",
  "--project",
  "my-ml-project",
];

test.each<[string, string[], number, string]>([
  [
    "an unknown runner",
    [...BATCH, "--runner", "spark"],
    2,
    '--runner must be one of direct, dataflow, flink (got "spark")',
  ],
  [
    "dataflow without a region",
    [...BATCH, "--runner", "dataflow", "--temp-location", "gs://rox-tmp/t"],
    2,
    "missing --region",
  ],
  [
    "dataflow without a temp location",
    [...STREAM, "--runner", "dataflow", "--region", "europe-west1"],
    2,
    "missing --temp-location",
  ],
  [
    "dataflow with a local temp location",
    [...BATCH, "--runner", "dataflow", "--region", "europe-west1", "--temp-location", "/tmp/t"],
    2,
    '--tempLocation must be a gs:// path (got "/tmp/t")',
  ],
  [
    "a Dataflow flag on flink",
    ["batch", "--input", "data/flights", "--schema", "flights", "--runner", "flink", "--region", "europe-west1"],
    2,
    "--region applies to --runner dataflow only",
  ],
  [
    "flink lands locally: no BigQuery dataset",
    [...BATCH, "--runner", "flink"],
    2,
    "--dataset applies only with --warehouse bigquery",
  ],
  [
    "an emulator flag on Dataflow",
    [...STREAM, "--runner", "dataflow", "--host", "127.0.0.1:8085"],
    2,
    "--host does not apply to --runner dataflow",
  ],
  [
    "a DuckDB warehouse on Dataflow",
    [...BATCH, "--runner", "dataflow", "--warehouse", "w.duckdb"],
    2,
    "writes to BigQuery (--dataset), not to w.duckdb",
  ],
  [
    "a local input on Dataflow",
    [
      "batch",
      "--input",
      "data/flights",
      "--schema",
      "flights",
      "--dataset",
      "rox_events",
      "--project",
      "my-ml-project",
      "--runner",
      "dataflow",
    ],
    3,
    '"input" = "data/flights" does not match ^gs://',
  ],
  [
    "no dataset",
    ["batch", "--input", "gs://rox-landing/x.jsonl", "--schema", "flights", "--runner", "dataflow"],
    2,
    "missing --dataset",
  ],
])("%s", async (_name, args, code, message) => {
  expect(await main(args)).toBe(code);
  expect(errors.join("\n")).toContain(message);
});
