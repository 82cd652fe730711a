import * as path from "path";
import { isDuckDbOutOfMemory, WarehouseMemoryError } from "../io/errors";
import type { Warehouse } from "../io/ports";
import { UsageError } from "./errors";

export const DEFAULT_WAREHOUSE = path.join(".rox", "warehouse.duckdb");

/** Where a job writes: the embedded DuckDB file (default), or a BigQuery dataset (real, or an emulator's endpoint). */
export type WarehouseTarget =
  | { kind: "duckdb"; file: string; memoryLimit?: string }
  | { kind: "bigquery"; projectId: string; dataset: string; location?: string; apiEndpoint?: string };

/** The warehouse flags every job command accepts. */
export const warehouseFlags = {
  warehouse: { type: "string" },
  dataset: { type: "string" },
  location: { type: "string" },
  "bigquery-endpoint": { type: "string" },
  "duckdb-memory": { type: "string" },
} as const;

export interface WarehouseFlagValues {
  warehouse?: string;
  project?: string;
  dataset?: string;
  location?: string;
  "bigquery-endpoint"?: string;
  "duckdb-memory"?: string;
}

/** A size DuckDB takes for its memory limit: a number and a unit. */
const DUCKDB_SIZE = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** `--warehouse bigquery` needs `--project` and `--dataset`; any other value is a DuckDB file. Checked before any job starts. */
export function warehouseTarget(values: WarehouseFlagValues): WarehouseTarget {
  if (values.warehouse !== "bigquery") {
    for (const flag of ["dataset", "location", "bigquery-endpoint"] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies only with --warehouse bigquery`);
    }
    return { kind: "duckdb", file: values.warehouse ?? DEFAULT_WAREHOUSE, ...duckDbMemory(values["duckdb-memory"]) };
  }
  if (values["duckdb-memory"] !== undefined) throw new UsageError("--duckdb-memory applies only to a DuckDB warehouse");
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

function duckDbMemory(text: string | undefined): { memoryLimit?: string } {
  if (text === undefined) return {};
  if (!DUCKDB_SIZE.test(text))
    throw new UsageError(`--duckdb-memory must be a size such as 512MB or 2GB (got "${text}")`);
  return { memoryLimit: text };
}

/** Opens the chosen warehouse (its module loaded lazily: the local path never loads a Google client), runs a job, always closes it. */
export async function withWarehouse<T>(target: WarehouseTarget, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse(target);
  try {
    return await run(warehouse);
  } catch (err) {
    if (target.kind === "duckdb" && isDuckDbOutOfMemory(err))
      throw new WarehouseMemoryError(target.memoryLimit, { cause: err });
    throw err;
  } finally {
    await warehouse.close();
  }
}

async function openWarehouse(target: WarehouseTarget): Promise<Warehouse> {
  if (target.kind === "duckdb") {
    const { DuckDbWarehouse } = await import("../io/local/duckdb-warehouse");
    return DuckDbWarehouse.open(target.file, { memoryLimit: target.memoryLimit });
  }
  const { BigQueryWarehouse } = await import("../io/gcp/bigquery/bigquery-warehouse");
  const { kind: _kind, ...options } = target;
  return BigQueryWarehouse.open(options);
}
