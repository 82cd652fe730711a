import { jobRunsTableSchema } from "../../schemas/bigquery";
import { jobRunsColumnsDdl, jobRunsTableDdl } from "../../schemas/duckdb";
import { jobRunsTable } from "../../schemas/tables";
import { JOB_RUN_COLUMNS } from "../../transforms/summary";

// `job_runs` has one declaration (schemas/tables.ts); both warehouses' shapes come from it and hold what
// `jobRunRow` writes, in its order.
test("the layout's columns are the ones a run's row carries, in order", () => {
  expect(jobRunsTable().columns.map((c) => c.name)).toStrictEqual([...JOB_RUN_COLUMNS]);
});

test("BigQuery: JSON for the per-table and per-reason counts, REQUIRED for the counts, keyed nowhere", () => {
  const fields = Object.fromEntries(jobRunsTableSchema().fields.map((f) => [f.name, `${f.type} ${f.mode}`]));
  expect(fields).toMatchObject({
    runId: "STRING REQUIRED",
    startedAt: "TIMESTAMP REQUIRED",
    read: "INT64 REQUIRED",
    byTable: "JSON NULLABLE",
    byReason: "JSON NULLABLE",
    uncounted: "INT64 NULLABLE",
    owner: "STRING NULLABLE",
  });
  expect(jobRunsTableSchema().timePartitioning).toBeUndefined();
});

test("DuckDB: keyed by run id, JSON columns, and the later columns added to an older table", () => {
  const ddl = jobRunsTableDdl();
  expect(ddl).toContain(`"byTable" JSON,`);
  expect(ddl).toContain(`"read" BIGINT NOT NULL`);
  expect(ddl).toContain(`PRIMARY KEY ("runId")`);
  expect(jobRunsColumnsDdl()).toContain(`ALTER TABLE "job_runs" ADD COLUMN IF NOT EXISTS "owner" VARCHAR`);
});
