/**
 * The Dataflow graphs, expanded for real: the GCP IO expansion service (the JAR of scripts/setup-beam.sh) runs here,
 * expands the Pub/Sub read and both BigQuery Storage Write schema transforms, and the resulting portable pipeline is
 * compared with a readable golden file (URNs, decoded payloads, coders, environments, the failed-rows wiring).
 *
 * While expanding the write, Java validates the rows' schema against BigQuery's `tables.get`: a TLS server in this
 * test answers it at the wire with our own table schemas (so Java checks that the rows are assignable to them).
 *
 *   ROX_UPDATE_GOLDEN=1 npx jest test/dataflow/graph.test.ts    # rewrite test/dataflow/golden/*.json
 *
 * Skipped, with the reason printed, when Java, the JAR (run scripts/setup-beam.sh), openssl/keytool or port 443 is
 * unavailable.
 */
import * as fs from "fs";
import * as path from "path";
import { beamServicePaths, GCP_EXPANSION_SERVICE_TARGET } from "../../pipelines/beam-services";
import { dataflowGraph, pipelineProto } from "../../pipelines/dataflow/job-graph";
import { scoreGraphOf } from "../../pipelines/dataflow/score-graph";
import {
  STORAGE_WRITE_CONFIG_SCHEMA,
  STORAGE_WRITE_IDENTIFIER,
  storageWriteConfig,
} from "../../pipelines/dataflow/bigquery-write";
import { schemaTransformPayload } from "../../pipelines/dataflow/schema-transform";
import { windowPartialsSchema, windowPartialsTableName } from "../../pipelines/dataflow/window-partials";
import { beamRowSchema } from "../../pipelines/dataflow/row-schema";
import { loadContract } from "../../schemas/load";
import { bigQueryPredictionsTableSchema, bigQueryTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import { itNeeds, unmet, type Prerequisite } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { startBigQueryTablesServer, type BigQueryTablesServer } from "./bigquery-tables-server";
import { discoverSchemaTransforms } from "./discover-schema-transforms";
import { startExpansionService, type ExpansionService } from "./expansion-service";
import { renderPipeline, renderSchema, renderSchemaTransformPayload } from "./graph-render";
import { makeGoogleHostTls } from "./tls-google-host";

const GOLDEN = path.join(__dirname, "golden");
const PROJECT = "rox-test-project";
const PARAMETERS = {
  schema: "flights",
  project: PROJECT,
  dataset: "rox_events",
  subscription: `projects/${PROJECT}/subscriptions/flights-stream`,
  input: "gs://rox-test-events/flights/dt=2001-01-02/*.jsonl",
  jobName: "rox-graph-test",
};
const CLOCK = { nowMs: Date.parse("2001-02-01T00:00:00Z"), runId: "graph-test-run" };
const flights = loadContract("flights");
const hourly = flights.features!.windows[0];
const tables = {
  flights: bigQueryTableSchema(flights),
  flights__appended: bigQueryTableSchema(flights),
  dead_letters: deadLetterTableSchema(),
  [windowPartialsTableName(flights, hourly)]: windowPartialsSchema(flights, hourly),
  flights_predictions__appended: bigQueryPredictionsTableSchema(flights),
};

let service: ExpansionService | undefined;
let bigquery: BigQueryTablesServer | undefined;
const work = tempDir("dataflow-graph");
const NEEDS: Prerequisite[] = ["java", "beam-jar", "tls-tools", "port-443"];
const withExpansionService = itNeeds(...NEEDS);

beforeAll(async () => {
  if (unmet(...NEEDS)) return;
  const tls = makeGoogleHostTls(work.dir, "bigquery.googleapis.com");
  try {
    bigquery = await startBigQueryTablesServer(tls, tables);
  } catch (err) {
    // Most likely another run of this test holds the port: a failure to retry, not a reason to skip.
    throw new Error(`cannot serve bigquery.googleapis.com on 127.0.0.1:443 (${(err as Error).message})`, {
      cause: err,
    });
  }
  service = await startExpansionService(beamServicePaths().gcpExpansionJar, tls, work.dir);
  process.env.BEAM_SERVICE_OVERRIDES = JSON.stringify({ [GCP_EXPANSION_SERVICE_TARGET]: service.address });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await bigquery?.close();
  work.cleanup();
});

function expectGolden(name: string, actual: unknown): void {
  const file = path.join(GOLDEN, name);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.ROX_UPDATE_GOLDEN === "1") fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}

/** The test server for BigQuery's `tables.get`, its requests cleared. */
function bigQueryServer(): BigQueryTablesServer {
  bigquery!.requests.length = 0;
  return bigquery!;
}

type Rendered = { transforms: { name: string; urn: string; inputs: string[]; outputs: string[] }[] };

function transformNamed(graph: Rendered, name: string) {
  const found = graph.transforms.find((t) => t.name === name);
  if (!found) throw new Error(`no transform ${name} in ${graph.transforms.map((t) => t.name).join(", ")}`);
  return found;
}

describe("the Dataflow graphs, expanded by the real GCP IO expansion service", () => {
  withExpansionService(
    "the storage write configuration matches the provider's own schema (DiscoverSchemaTransform)",
    async () => {
      const discovered = (await discoverSchemaTransforms(service!.address)).get(STORAGE_WRITE_IDENTIFIER);
      expect(discovered?.inputs).toEqual(["input"]);
      expect(discovered?.outputs).toEqual(["FailedRows", "FailedRowsWithErrors", "errors"]);
      expect(renderSchema(STORAGE_WRITE_CONFIG_SCHEMA)).toBe(
        renderSchema(discovered?.configSchema ?? STORAGE_WRITE_CONFIG_SCHEMA),
      );
    },
  );

  withExpansionService(
    "streaming: Pub/Sub with id and event-time attributes → shared transforms → BigQuery, failed rows → dead letters",
    async () => {
      const bigquery = bigQueryServer();
      const graph = renderPipeline(await pipelineProto(dataflowGraph("stream", PARAMETERS, CLOCK))) as Rendered;
      const read = graph.transforms.find((t) => t.urn === "beam:transform:pubsub_read:v1") as unknown as {
        payload: Record<string, unknown>;
      };
      // Java writes the subscription in the legacy `/subscriptions/<project>/<name>` form Dataflow's native source reads.
      expect(read.payload).toEqual({
        subscription: `/subscriptions/${PROJECT}/flights-stream`,
        timestampAttribute: "event_time",
        idAttribute: "event_id",
        withAttributes: 1,
      });
      expectFailedRowsWired(graph);
      // Java looked up the three destination tables (the appended events, dead letters, the window's partials) to
      // validate the rows' schema against them, and nothing else.
      const table = (name: string) =>
        `GET /bigquery/v2/projects/${PROJECT}/datasets/rox_events/tables/${name}?prettyPrint=false&view=STORAGE_STATS`;
      expect(bigquery.requests).toEqual(
        ["flights__appended", "dead_letters", "flights_origin_hourly__partials"].map(table),
      );
      expectGolden("stream-graph.json", graph);
    },
    120_000,
  );

  withExpansionService(
    "streaming with --score: every written event → the shared scorer → appended to <table>_predictions__appended " +
      "(read through the first-copy view), score dead letters apart",
    async () => {
      // The unscored graph's look-ups first: the scored one makes the same, then the predictions and dead letters.
      const bigquery = bigQueryServer();
      await pipelineProto(dataflowGraph("stream", PARAMETERS, CLOCK));
      const unscored = bigquery.requests.splice(0);
      const scoring = {
        model: "flights-delay",
        modelVersion: "3",
        modelUri: "gs://rox-test-models/models/flights-delay/v3",
      };
      const graph = renderPipeline(
        await pipelineProto(dataflowGraph("stream", { ...PARAMETERS, ...scoring }, CLOCK)),
      ) as Rendered;
      // The ingest part is the unscored graph's, unchanged; the branch reads the first-of-id events.
      expectFailedRowsWired(graph);
      const scored = transformNamed(graph, "map(score events)");
      const unique = transformNamed(graph, "map(partials origin_hourly)");
      expect(scored.inputs).toEqual(unique.inputs);
      const split = transformNamed(graph, "split scored");
      expect(split.inputs).toEqual(scored.outputs);
      expect(transformNamed(graph, "write predictions as rows").inputs).toEqual([split.outputs[0]]);
      const refused = transformNamed(graph, "map(refusedPredictionToDeadLetter)");
      expect(refused.inputs[0]).toMatch(/^expansion\d+_write predictions\/Construct failed rows and errors\//);
      const flatten = transformNamed(graph, "score dead letters");
      expect([...flatten.inputs].sort()).toEqual([split.outputs[1], refused.outputs[0]].sort());
      expect(transformNamed(graph, "write score dead letters as rows").inputs).toEqual(flatten.outputs);
      const table = (name: string) =>
        `GET /bigquery/v2/projects/${PROJECT}/datasets/rox_events/tables/${name}?prettyPrint=false&view=STORAGE_STATS`;
      const appended = table("flights_predictions__appended");
      expect(bigquery.requests).toEqual([...unscored, appended, table("dead_letters")]);
      expectGolden("stream-score-graph.json", graph);
    },
    120_000,
  );

  withExpansionService(
    "batch: gs:// objects → shared transforms grouped by id → the run's staging tables, failed rows → dead letters",
    async () => {
      const bigquery = bigQueryServer();
      const graph = renderPipeline(await pipelineProto(dataflowGraph("batch", PARAMETERS, CLOCK))) as Rendered;
      expect(
        graph.transforms.some((t) => t.urn === "beam:transform:group_by_key:v1" && t.name.startsWith("groupByKey")),
      ).toBe(true);
      expectFailedRowsWired(graph);
      // The batch job lands in its run's staging tables (created by the write), which `rox jobs finalize` commits.
      const stage = (table: string) =>
        `GET /bigquery/v2/projects/${PROJECT}/datasets/rox_events/tables/${table}__run_${CLOCK.runId.replace(/[^A-Za-z0-9_]/g, "_")}?prettyPrint=false&view=STORAGE_STATS`;
      // (Java asks several times for a table that is not there yet, hence the set.)
      expect([...new Set(bigquery.requests)]).toEqual([stage("flights"), stage("dead_letters")]);
      expectGolden("batch-graph.json", graph);
    },
    120_000,
  );

  test("the schema-transform payloads and row schemas, decoded", () => {
    const events = { table: `${PROJECT}:rox_events.flights`, schema: tables.flights };
    const deadLetters = { table: `${PROJECT}:rox_events.dead_letters`, schema: tables.dead_letters };
    const rendered = {
      events: {
        ...renderSchemaTransformPayload(schemaTransformPayload(STORAGE_WRITE_IDENTIFIER, storageWriteConfig(events))),
        rows: renderSchema(beamRowSchema(tables.flights)),
      },
      deadLetters: {
        ...renderSchemaTransformPayload(
          schemaTransformPayload(STORAGE_WRITE_IDENTIFIER, storageWriteConfig(deadLetters)),
        ),
        rows: renderSchema(beamRowSchema(tables.dead_letters)),
      },
    };
    expectGolden("storage-write-payloads.json", rendered);
  });
});

/**
 * The events write's FailedRowsWithErrors, counted, feed the dead-letter rows, which join the other dead letters;
 * counted again, they go to the dead letters' write.
 */
function expectFailedRowsWired(graph: Rendered): void {
  const refused = transformNamed(graph, "map(count refused)");
  expect(refused.inputs).toHaveLength(1);
  expect(refused.inputs[0]).toMatch(/^expansion\d+_write events\/Construct failed rows and errors\//);
  const failed = transformNamed(graph, "map(failedRowToDeadLetter)");
  expect(failed.inputs).toStrictEqual(refused.outputs);
  const flatten = graph.transforms.find(
    (t) => t.urn === "beam:transform:flatten:v1" && t.inputs.includes(failed.outputs[0]),
  );
  expect(flatten?.inputs).toHaveLength(3);
  const counted = graph.transforms.find((t) => t.inputs.includes(flatten?.outputs[0] ?? "-"));
  expect(counted?.name).toBe("map(count dead letters)");
  const consumer = graph.transforms.find((t) => t.inputs.includes(counted?.outputs[0] ?? "-"));
  expect(consumer?.name).toBe("write dead letters as rows");
}

/** Batch scoring (pipelines/dataflow/score-graph.ts): in this file, as it needs the same TLS server on port 443. */
describe("the Dataflow scoring graph, expanded by the real GCP IO expansion service", () => {
  const RUN = "score-graph-test";
  const SCORE_PARAMETERS = {
    schema: "flights",
    project: PROJECT,
    dataset: "rox_events",
    model: "flights-delay",
    modelVersion: "3",
    modelUri: "gs://rox-test-models/models/flights-delay/v3",
    featureRows: `gs://rox-test-tmp/rox-score/${RUN}/feature-rows.jsonl`,
    runId: RUN,
    jobName: "rox-score-graph-test",
  };

  withExpansionService(
    "scoring: staged feature rows → the shared scorer → predictions and dead letters in the run's staging tables",
    async () => {
      const bigquery = bigQueryServer();
      const graph = renderPipeline(await pipelineProto(scoreGraphOf(SCORE_PARAMETERS))) as Rendered;
      const scored = transformNamed(graph, "map(scoreRowFromStore)");
      const split = graph.transforms.find((t) => t.inputs.includes(scored.outputs[0]));
      expect(split?.outputs).toHaveLength(2);
      expect(transformNamed(graph, "write predictions as rows").inputs).toEqual([split!.outputs[0]]);
      // Predictions the table refuses become dead letters, flattened with the scorer's own into the dead-letter write.
      const failed = transformNamed(graph, "map(failedRowToDeadLetter)");
      expect(failed.inputs[0]).toMatch(/^expansion\d+_write predictions\/Construct failed rows and errors\//);
      const flatten = graph.transforms.find((t) => t.urn === "beam:transform:flatten:v1");
      expect([...flatten!.inputs].sort()).toEqual([split!.outputs[1], failed.outputs[0]].sort());
      expect(transformNamed(graph, "write dead letters as rows").inputs).toEqual(flatten!.outputs);
      // Both writes create the run's own staging tables; Java looked them up (absent yet) and nothing else.
      const stage = (table: string) =>
        `GET /bigquery/v2/projects/${PROJECT}/datasets/rox_events/tables/${table}__run_score_graph_test?prettyPrint=false&view=STORAGE_STATS`;
      expect([...new Set(bigquery.requests)].sort()).toEqual([stage("dead_letters"), stage("flights_predictions")]);
      expectGolden("score-graph.json", graph);
    },
    120_000,
  );
});
