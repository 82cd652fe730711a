import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import type { WarehouseTarget } from "../warehouse";
import { openModelStore } from "./model-store";
import { ModelRegistry } from "./registry";

/** The registry over an open warehouse and the model store (`--store`, default `.rox/models`). */
export function openRegistry(
  warehouse: Warehouse,
  target: WarehouseTarget,
  store?: string,
  storageEndpoint?: string,
): ModelRegistry {
  const sql = target.kind === "duckdb" ? DUCKDB_FEATURE_SQL : bigQueryFeatureSql();
  const projectId = target.kind === "bigquery" ? target.projectId : undefined;
  return new ModelRegistry(warehouse, sql, openModelStore(store, { projectId, apiEndpoint: storageEndpoint }));
}
