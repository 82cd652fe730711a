/** Conformance cases on the tables `ensureTables` lays out: columns, nullability, partitioning and clustering. */
import { deadLetterTable, eventsTable, windowTable, type TableLayout } from "../../schemas/tables";
import { accumulatorColumns } from "../../transforms/window-rows";
import { featureModule } from "../../transforms/features";
import type { Warehouse } from "../../io/ports";
import type { Case } from "./warehouse.suite";
import { contract } from "./warehouse.chunks";
import type { WarehouseDialect } from "./warehouse.read-back";

const window = contract.features!.windows[0];
const accumulators = accumulatorColumns(featureModule(contract.features?.module).windows[window.name]);
const JOB_RUN_COLUMNS = [
  "runId",
  "job",
  "schema",
  "startedAt",
  "finishedAt",
  "read",
  "written",
  "deadLettered",
  "duplicates",
  "byTable",
  "byReason",
  "uncounted",
  "status",
  "owner",
];

/** The contract's tables with the columns a warehouse adds to them (window accumulators). */
function expectedTables(): { layout: TableLayout; extra: string[] }[] {
  return [
    { layout: eventsTable(contract), extra: [] },
    { layout: windowTable(contract, window), extra: accumulators },
    { layout: deadLetterTable(), extra: [] },
  ];
}

async function columnsOf(wh: Warehouse, d: WarehouseDialect, table: string) {
  return wh.query(d.columnsSql(table));
}

export const layoutCases: Record<string, Case> = {
  "ensureTables is idempotent and lays out the columns the contract says": async ({ warehouse, dialect }) => {
    await warehouse.ensureTables(contract); // a second time: the suite already ran it once
    for (const { layout, extra } of expectedTables()) {
      const columns = await columnsOf(warehouse, dialect, layout.name);
      expect(columns.map((c) => c.column_name)).toEqual([...layout.columns.map((c) => c.name), ...extra]);
      const required = columns.filter((c) => c.is_nullable === "NO").map((c) => c.column_name);
      expect(required).toEqual(layout.columns.filter((c) => !c.nullable).map((c) => c.name));
    }
    expect((await columnsOf(warehouse, dialect, "job_runs")).map((c) => c.column_name)).toEqual(JOB_RUN_COLUMNS);
  },

  "tables are partitioned by day and clustered as the contract says": async ({ warehouse, dialect }) => {
    for (const { layout } of expectedTables()) {
      const columns = await columnsOf(warehouse, dialect, layout.name);
      expect(columns.filter((c) => c.is_partitioning_column === "YES").map((c) => c.column_name)).toEqual([
        layout.partitionBy,
      ]);
      const clustered = columns.filter((c) => c.clustering_ordinal_position !== null);
      clustered.sort((a, b) => Number(a.clustering_ordinal_position) - Number(b.clustering_ordinal_position));
      expect(clustered.map((c) => c.column_name)).toEqual(layout.clusterBy);
    }
  },
};
