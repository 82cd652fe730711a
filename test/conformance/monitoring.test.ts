/**
 * The monitoring conformance suite against each selected target (`IO_TARGETS`, default local,emulator):
 *   local     DuckDbMonitoring on a temp DuckDB file
 *   emulator  BigQueryMonitoring on bqemulator 1.4.0 (started for this file; skipped with the reason if it cannot)
 */
import * as path from "path";
import { BigQueryMonitoring } from "../../io/gcp/bigquery/bigquery-monitoring";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { DuckDbMonitoring } from "../../io/local/duckdb-monitoring";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { tempDir } from "../support/temp";
import { monitoringConformance, monitoringRowsSql } from "./monitoring.suite";
import { targetSelected } from "./targets";

jest.setTimeout(120_000);

if (targetSelected("local")) {
  let temp: { dir: string; cleanup: () => void };
  let opened = 0;
  monitoringConformance({
    target: "local (DuckDB)",
    setup: () => {
      beforeAll(() => void (temp = tempDir("monitoring-conformance")));
      afterAll(() => temp.cleanup());
    },
    open: async () => {
      const warehouse = await DuckDbWarehouse.open(path.join(temp.dir, `m-${++opened}.duckdb`));
      return {
        warehouse,
        monitoring: new DuckDbMonitoring(warehouse),
        selectAll: monitoringRowsSql(
          (c) => `"${c}"`,
          (c) => `epoch_ms(${c})`,
        ),
        close: () => warehouse.close(),
      };
    },
  });
}

if (targetSelected("emulator")) {
  let bq: ReturnType<typeof useBigQueryEmulator>;
  let opened = 0;
  monitoringConformance({
    target: "emulator (BigQuery on bqemulator)",
    needs: ["bigquery-emulator"],
    setup: () => void (bq = useBigQueryEmulator()),
    open: async () => {
      const emulator = bq.emulator!; // started by setup's beforeAll, which fails the cases when it cannot start
      const target = {
        projectId: emulator.projectId,
        dataset: `rox_monitoring_${++opened}`,
        apiEndpoint: emulator.apiEndpoint,
      };
      const warehouse = await BigQueryWarehouse.open(target);
      const monitoring = await BigQueryMonitoring.open(target);
      return {
        warehouse,
        monitoring,
        // a query names its tables with their dataset on BigQuery
        selectAll: monitoringRowsSql(
          (c) => `\`${c}\``,
          (c) => `UNIX_MILLIS(${c})`,
        ).replace("FROM monitoring", `FROM \`${target.projectId}.${target.dataset}.monitoring\``),
        close: async () => {
          await monitoring.close();
          await warehouse.close();
        },
      };
    },
  });
}
