import * as path from "path";
import type { Warehouse } from "../io/ports";

export const DEFAULT_WAREHOUSE = path.join(".rox", "warehouse.duckdb");

/** Opens the embedded warehouse (DuckDB; loaded lazily), runs a job against it, and always closes it. */
export async function withWarehouse<T>(file: string | undefined, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const { DuckDbWarehouse } = await import("../io/local/duckdb-warehouse");
  const warehouse = await DuckDbWarehouse.open(file ?? DEFAULT_WAREHOUSE);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}
