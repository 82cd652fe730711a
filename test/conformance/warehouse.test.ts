/**
 * The warehouse conformance suite against each selected target (`IO_TARGETS`, default local,emulator):
 *   local     DuckDbWarehouse on a temp file
 *   emulator  BigQueryWarehouse on bqemulator 1.4.0 (started for this file; skipped with the reason when it cannot run)
 */
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { tempDir } from "../support/temp";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { targetSelected } from "./targets";
import { warehouseConformance } from "./warehouse.suite";
import { bigQueryDialect, duckDbDialect } from "./warehouse.dialects";

jest.setTimeout(120_000);

if (targetSelected("local")) {
  let temp: { dir: string; cleanup: () => void };
  let opened = 0;
  warehouseConformance({
    target: "local (DuckDB)",
    setup: () => {
      beforeAll(() => void (temp = tempDir("duckdb-conformance")));
      afterAll(() => temp.cleanup());
    },
    open: async () => ({
      warehouse: await DuckDbWarehouse.open(path.join(temp.dir, `wh-${++opened}.duckdb`)),
      dialect: duckDbDialect,
    }),
    skip: {
      "tables are partitioned by day and clustered as the contract says":
        "DuckDB has no partitioning or clustering; the local warehouse selects days with a WHERE on the event time",
    },
  });
}

if (targetSelected("emulator")) {
  let bq: ReturnType<typeof useBigQueryEmulator>;
  let opened = 0;
  warehouseConformance({
    target: "emulator (BigQuery on bqemulator)",
    needs: ["bigquery-emulator"],
    setup: () => void (bq = useBigQueryEmulator()),
    open: async () => {
      const emulator = bq.emulator!; // started by setup's beforeAll, which fails the cases when it cannot start
      const dataset = `rox_conformance_${++opened}`;
      const warehouse = await BigQueryWarehouse.open({
        projectId: emulator.projectId,
        dataset,
        apiEndpoint: emulator.apiEndpoint,
      });
      return { warehouse, dialect: bigQueryDialect(dataset) };
    },
  });
}
