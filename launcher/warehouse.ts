import * as path from "path";
import type { Warehouse } from "../io/ports";
import { UsageError } from "./errors";

export const DEFAULT_WAREHOUSE = path.join(".rox", "warehouse.duckdb");

/** Where a job writes: the embedded DuckDB file (default), or a BigQuery dataset (real, or an emulator's endpoint). */
export type WarehouseTarget =
  | { kind: "duckdb"; file: string }
  | { kind: "bigquery"; projectId: string; dataset: string; location?: string; apiEndpoint?: string };

/** The warehouse flags every job command accepts. */
export const warehouseFlags = {
  warehouse: { type: "string" },
  dataset: { type: "string" },
  location: { type: "string" },
  "bigquery-endpoint": { type: "string" },
} as const;

export interface WarehouseFlagValues {
  warehouse?: string;
  project?: string;
  dataset?: string;
  location?: string;
  "bigquery-endpoint"?: string;
}

/** `--warehouse bigquery` needs `--project` and `--dataset`; any other value is a DuckDB file. Checked before any job starts. */
export function warehouseTarget(values: WarehouseFlagValues): WarehouseTarget {
  if (values.warehouse !== "bigquery") {
    for (const flag of ["dataset", "location", "bigquery-endpoint"] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies only with --warehouse bigquery`);
    }
    return { kind: "duckdb", file: values.warehouse ?? DEFAULT_WAREHOUSE };
  }
  if (!values.project) throw new UsageError("--warehouse bigquery needs --project");
  if (!values.dataset) throw new UsageError("--warehouse bigquery needs --dataset");
  return {
    kind: "bigquery",
    projectId: values.project,
    dataset: values.dataset,
    location: values.location,
    apiEndpoint: values["bigquery-endpoint"],
  };
}

/** Opens the chosen warehouse (its module loaded lazily: the local path never loads a Google client), runs a job, always closes it. */
export async function withWarehouse<T>(target: WarehouseTarget, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse(target);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

async function openWarehouse(target: WarehouseTarget): Promise<Warehouse> {
  if (target.kind === "duckdb") {
    const { DuckDbWarehouse } = await import("../io/local/duckdb-warehouse");
    return DuckDbWarehouse.open(target.file);
  }
  const { BigQueryWarehouse } = await import("../io/gcp/bigquery/bigquery-warehouse");
  const { kind: _kind, ...options } = target;
  return BigQueryWarehouse.open(options);
}
