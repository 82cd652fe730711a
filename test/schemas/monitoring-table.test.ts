import * as path from "path";
import { DuckDbMonitoring } from "../../io/local/duckdb-monitoring";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { monitoringTableSchema } from "../../schemas/bigquery";
import { monitoringTableDdl } from "../../schemas/duckdb";
import { monitoringTable } from "../../schemas/tables";
import { metricRow } from "../../transforms/monitor/metric-row";
import { tempDir } from "../support/temp";

// `monitoring` has one declaration (schemas/tables.ts); DuckDB's DDL, its INSERT and BigQuery's schema come from it.
const COLUMNS = [
  ...["model", "version", "table_name", "scope", "scope_start", "scope_end", "feature", "metric", "value"],
  ...["threshold", "error_threshold", "alert", "severity", "rows", "run_id", "computed_at"],
];

test("the layout's columns, in the order a monitoring row is written", () => {
  expect(monitoringTable().columns.map((c) => c.name)).toStrictEqual(COLUMNS);
});

test("DuckDB: the DDL from the layout, only feature and severity nullable", async () => {
  const work = tempDir("monitoring-ddl");
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, "w.duckdb"));
  try {
    await warehouse.query(monitoringTableDdl());
    const described = await warehouse.query(`DESCRIBE "monitoring"`);
    expect(described.map((r) => [r.column_name, r.column_type, r.null])).toEqual([
      ...[
        ["model", "VARCHAR", "NO"],
        ["version", "BIGINT", "NO"],
        ["table_name", "VARCHAR", "NO"],
      ],
      ...[
        ["scope", "VARCHAR", "NO"],
        ["scope_start", "TIMESTAMP WITH TIME ZONE", "NO"],
      ],
      ...[
        ["scope_end", "TIMESTAMP WITH TIME ZONE", "NO"],
        ["feature", "VARCHAR", "YES"],
        ["metric", "VARCHAR", "NO"],
      ],
      ...[
        ["value", "DOUBLE", "NO"],
        ["threshold", "DOUBLE", "NO"],
        ["error_threshold", "DOUBLE", "NO"],
      ],
      ...[
        ["alert", "BOOLEAN", "NO"],
        ["severity", "VARCHAR", "YES"],
        ["rows", "BIGINT", "NO"],
      ],
      ...[
        ["run_id", "VARCHAR", "NO"],
        ["computed_at", "TIMESTAMP WITH TIME ZONE", "NO"],
      ],
    ]);
  } finally {
    await warehouse.close();
    work.cleanup();
  }
});

test("a table made by the earlier hand-written DDL takes the rows as before", async () => {
  const work = tempDir("monitoring-old");
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, "w.duckdb"));
  try {
    await warehouse.query(`CREATE TABLE IF NOT EXISTS monitoring (
      model VARCHAR NOT NULL, version BIGINT NOT NULL, table_name VARCHAR NOT NULL, scope VARCHAR NOT NULL,
      scope_start TIMESTAMPTZ NOT NULL, scope_end TIMESTAMPTZ NOT NULL, feature VARCHAR, metric VARCHAR NOT NULL,
      value DOUBLE NOT NULL, threshold DOUBLE NOT NULL, error_threshold DOUBLE NOT NULL, alert BOOLEAN NOT NULL,
      severity VARCHAR, "rows" BIGINT NOT NULL, run_id VARCHAR NOT NULL, computed_at TIMESTAMPTZ NOT NULL)`);
    const scope = {
      ...{ model: "flights-delay", version: 2, table: "flights", scope: "day" as const },
      ...{ start: "2001-01-12T00:00:00.000Z", end: "2001-01-13T00:00:00.000Z" },
    };
    const row = metricRow("distance", "drift.jensen_shannon", 0.4, { threshold: 0.3, errorThreshold: 0.6 }, 90);
    const run = { runId: "monitor-1", computedAt: "2001-01-13T04:00:00.000Z" };
    await new DuckDbMonitoring(warehouse).replaceScope(scope, run, [row]);
    const [stored] = await warehouse.query(
      `SELECT model, version, feature, value, severity, "rows", strftime(scope_end AT TIME ZONE 'UTC', '%Y-%m-%d') AS e
       FROM monitoring`,
    );
    expect(stored).toEqual({
      ...{ model: "flights-delay", version: "2", feature: "distance", value: 0.4, severity: "WARNING" },
      ...{ rows: "90", e: "2001-01-13" },
    });
  } finally {
    await warehouse.close();
    work.cleanup();
  }
});

test("BigQuery: partitioned by the scope's start, REQUIRED but for feature and severity", () => {
  const schema = monitoringTableSchema();
  expect(schema.timePartitioning).toEqual({ type: "DAY", field: "scope_start" });
  const modes = Object.fromEntries(schema.fields.map((f) => [f.name, `${f.type} ${f.mode}`]));
  expect(modes).toMatchObject({ feature: "STRING NULLABLE", severity: "STRING NULLABLE", rows: "INT64 REQUIRED" });
  expect(schema.fields.map((f) => f.name)).toStrictEqual(COLUMNS);
});
