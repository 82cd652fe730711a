/**
 * The scoring stream's predictions on BigQuery (pipelines/dataflow/stream-predictions.ts): the job appends every
 * prediction — an event re-sent past Pub/Sub's id dedupe is written once (the events view) but scored again — and
 * `<table>_predictions`, the name users query, is a view of the first prediction of each (event, model, version). On
 * the BigQuery emulator, the submission's prepare of a scoring stream creates the appended table and the view; a
 * re-sent id's second prediction is not seen, another version's prediction of the same event is. A predictions table
 * that exists as a table (a batch scoring's) is refused, not replaced; a stream without `--score` leaves it alone.
 */
import {
  prepareStreamDataset,
  streamPreparePlan,
  StreamWindowTableError,
} from "../../pipelines/dataflow/prepare-stream-windows";
import { appendedPredictionsTableName } from "../../pipelines/dataflow/stream-predictions";
import { loadContract } from "../../schemas/load";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";

const bq = useBigQueryEmulator();
const flights = loadContract("flights");
const SCORING = { model: "flights-delay", modelVersion: "1", modelUri: "gs://m/models/flights-delay/v1" };

test("the plan of a scoring stream: the predictions table must not be a table; appended table, then the view", () => {
  const plan = streamPreparePlan("p.d", flights, { scored: true });
  const unscored = streamPreparePlan("p.d", flights);
  expect(plan.mustNotBeTables).toEqual([...unscored.mustNotBeTables, "flights_predictions"]);
  expect(plan.statements.slice(0, -2)).toEqual(unscored.statements);
  expect(plan.statements.slice(-2)).toEqual([
    "CREATE TABLE IF NOT EXISTS `p.d.flights_predictions__appended` (`event_id` STRING NOT NULL, " +
      "`event_time` TIMESTAMP NOT NULL, `prediction` FLOAT64 NOT NULL, `model` STRING NOT NULL, " +
      "`model_version` INT64 NOT NULL, `score_run_id` STRING NOT NULL, `scored_at` TIMESTAMP NOT NULL) " +
      "PARTITION BY DATE(`event_time`) CLUSTER BY `model`, `model_version`",
    "CREATE OR REPLACE VIEW `p.d.flights_predictions` AS SELECT `event_id`, `event_time`, `prediction`, `model`, " +
      "`model_version`, `score_run_id`, `scored_at` FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY `event_id`, " +
      "`model`, `model_version` ORDER BY `scored_at`, `score_run_id`) AS `_copy` FROM " +
      "`p.d.flights_predictions__appended`) WHERE `_copy` = 1",
  ]);
  expect(unscored.statements.join("\n")).not.toContain("flights_predictions");
});

describe("the scoring stream's predictions view on the BigQuery emulator", () => {
  itNeeds("bigquery-emulator")(
    "a re-sent id scored twice is one prediction row in <table>_predictions; another version's row is kept",
    async () => {
      const emulator = bq.emulator!;
      const name = "rox_stream_predictions";
      const dataset = `${emulator.projectId}.${name}`;
      const parameters = { project: emulator.projectId, dataset: name, schema: "flights", ...SCORING };
      const prepare = () => prepareStreamDataset(parameters, { apiEndpoint: emulator.apiEndpoint });
      const { predictions, appended, tables } = await inEmulatorDataset(emulator, name, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA \`${dataset}\``);
        await prepare();
        await prepare(); // again: idempotent
        // [event, version, prediction, run, scored second]: `a` scored by v1, re-sent and scored again by v1 (a later
        // run, and later in the same run); `a` by v2 (a relaunch on a new version); `b` once.
        const rows: [string, number, number, string, number][] = [
          ["a", 1, 0.25, "r0", 1],
          ["b", 1, 0.5, "r0", 2],
          ["a", 1, 0.75, "r1", 3],
          ["a", 1, 0.875, "r0", 4],
          ["a", 2, 0.125, "r2", 5],
        ];
        const values = rows.map(
          ([id, version, prediction, run, second]) =>
            `('${id}', TIMESTAMP '2001-01-02 10:00:00', ${prediction}, 'flights-delay', ${version}, '${run}', ` +
            `TIMESTAMP '2001-01-02 12:00:0${second}')`,
        );
        await warehouse.query(
          `INSERT INTO \`${dataset}.${appendedPredictionsTableName(flights)}\` ` +
            "(event_id, event_time, prediction, model, model_version, score_run_id, scored_at) " +
            `VALUES ${values.join(", ")}`,
        );
        const sql =
          "SELECT event_id, model_version, prediction, score_run_id FROM `" +
          `${dataset}.flights_predictions\` ORDER BY event_id, model_version`;
        return {
          predictions: await warehouse.query(sql),
          appended: await warehouse.query(`SELECT COUNT(*) AS n FROM \`${dataset}.flights_predictions__appended\``),
          tables: await warehouse.query(
            `SELECT table_name, table_type FROM \`${dataset}\`.INFORMATION_SCHEMA.TABLES ` +
              "WHERE table_name LIKE 'flights_predictions%' ORDER BY table_name",
          ),
        };
      });
      expect(predictions.map((p) => ({ ...p, model_version: Number(p.model_version) }))).toStrictEqual([
        { event_id: "a", model_version: 1, prediction: 0.25, score_run_id: "r0" },
        { event_id: "a", model_version: 2, prediction: 0.125, score_run_id: "r2" },
        { event_id: "b", model_version: 1, prediction: 0.5, score_run_id: "r0" },
      ]);
      expect(Number(appended[0].n)).toBe(5);
      expect(tables).toStrictEqual([
        { table_name: "flights_predictions", table_type: "VIEW" },
        { table_name: "flights_predictions__appended", table_type: "BASE TABLE" },
      ]);
    },
    120_000,
  );

  itNeeds("bigquery-emulator")(
    "a predictions table that is a table (batch scoring's) is refused by a scoring stream, left alone by a plain one",
    async () => {
      const emulator = bq.emulator!;
      const name = "rox_batch_predictions";
      const dataset = `${emulator.projectId}.${name}`;
      await inEmulatorDataset(emulator, name, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${dataset}\``);
        await warehouse.query(`CREATE TABLE \`${dataset}.flights_predictions\` (event_id STRING)`);
      });
      const parameters = { project: emulator.projectId, dataset: name, schema: "flights" };
      const endpoint = { apiEndpoint: emulator.apiEndpoint };
      const scored = prepareStreamDataset({ ...parameters, ...SCORING }, endpoint);
      await expect(scored).rejects.toThrow(StreamWindowTableError);
      await expect(scored).rejects.toThrow(`${dataset}.flights_predictions is a table`);
      await prepareStreamDataset(parameters, endpoint);
      const kind = await inEmulatorDataset(emulator, name, (warehouse) =>
        warehouse.query(
          `SELECT table_type FROM \`${dataset}\`.INFORMATION_SCHEMA.TABLES WHERE table_name = 'flights_predictions'`,
        ),
      );
      expect(kind).toStrictEqual([{ table_type: "BASE TABLE" }]);
    },
    120_000,
  );
});
