/**
 * `rox monitor deploy`'s library: the registered model's card and the thresholds `rox monitor` uses for it → the
 * plans of vertex-monitoring-plan.ts → returned unsent (`dryRun`) or sent. GetEndpoint is read even on a dry run: the
 * job's objectives depend on what is deployed there.
 */
import { bigQueryFeatureSql, featureRowsSql, nextDay } from "../../io/feature-query";
import { loadContract } from "../../schemas/load";
import type { ModelCard } from "../../transforms/score/model-card";
import { loadConfig } from "../config";
import { parseModelRef } from "../models/model-ref";
import { openRegistry } from "../models/open-registry";
import { readVertexModelSettings } from "../models/vertex-settings";
import type { Plan } from "../plan";
import { warehouseTarget, withWarehouse, type WarehouseFlagValues, type WarehouseTarget } from "../warehouse";
import { MonitoringDeployError } from "./errors";
import { modelThresholds, monitorSettings } from "./settings";
import {
  planGetEndpoint,
  planMonitoringJob,
  planTrainingTable,
  type MonitoringDeploySettings,
} from "./vertex-monitoring-plan";

export interface MonitorDeployOptions extends WarehouseFlagValues {
  model: string;
  endpoint: string;
  intervalHours: number;
  sampleRate: number;
  emails: string[];
  notificationChannels: string[];
  dryRun: boolean;
  region?: string;
  config?: string;
  store?: string;
  "schemas-dir"?: string;
  /** `<project>.<dataset>` of the events (default: the BigQuery warehouse's). */
  "training-dataset"?: string;
  /** Vertex AI's host:port (an in-test server). */
  "api-endpoint"?: string;
}

export interface MonitorDeployResult {
  plans: Plan[];
  dryRun: boolean;
  /** The created job's resource name (not on a dry run). */
  job?: string;
}

export async function deployMonitoring(o: MonitorDeployOptions): Promise<MonitorDeployResult> {
  const config = loadConfig(o.config);
  const vertex = readVertexModelSettings(config, o);
  const bigqueryEndpoint = o["bigquery-endpoint"];
  // --bigquery-endpoint serves the training table's query job even when the registry is a DuckDB file.
  const registryEndpoint = o.warehouse === "bigquery" ? bigqueryEndpoint : undefined;
  const target = warehouseTarget({ ...o, project: o.project ?? config.project, "bigquery-endpoint": registryEndpoint });
  const ref = parseModelRef(o.model);
  const card = await withWarehouse(target, async (warehouse) => {
    const store = o.store ?? (config.models as { store?: string } | undefined)?.store;
    const registry = openRegistry(warehouse, target, store);
    return registry.card(await registry.resolve(ref));
  });
  const settings: MonitoringDeploySettings = {
    ...{ project: vertex.project, region: vertex.region, endpoint: o.endpoint },
    trainingDataset: trainingDatasetOf(o["training-dataset"], target),
    ...{ intervalHours: o.intervalHours, sampleRate: o.sampleRate },
    ...{ emails: o.emails, notificationChannels: o.notificationChannels },
  };
  const thresholds = modelThresholds(monitorSettings(config), card);
  const table = planTrainingTable(settings, card, trainingRowsSql(card, settings, o["schemas-dir"]));
  const { openMonitoringApi, applyTrainingTable } = await import("./vertex-monitoring-apply");
  const api = await openMonitoringApi(vertex.region, o["api-endpoint"]);
  try {
    const get = planGetEndpoint(settings);
    const create = planMonitoringJob(settings, ref, card, thresholds, await api.getEndpoint(get));
    const plans = [get, table, create];
    if (o.dryRun) return { plans, dryRun: true };
    await applyTrainingTable(table, settings.trainingDataset.dataset, bigqueryEndpoint);
    return { plans, dryRun: false, job: await api.createJob(create) };
  } finally {
    await api.close();
  }
}

function trainingDatasetOf(flag: string | undefined, target: WarehouseTarget) {
  if (flag) {
    const [projectId, dataset, more] = flag.split(".");
    if (!projectId || !dataset || more !== undefined)
      throw new MonitoringDeployError(`--training-dataset is <project>.<dataset> (got "${flag}")`);
    return { projectId, dataset };
  }
  if (target.kind === "bigquery") return { projectId: target.projectId, dataset: target.dataset };
  throw new MonitoringDeployError(
    "Vertex AI reads the training baseline from BigQuery: pass --warehouse bigquery --dataset D " +
      "or --training-dataset <project>.<dataset> (where the events table is)",
  );
}

/** The rows the model was trained on: its lineage's days, before its split's cutoff (the card's training span). */
function trainingRowsSql(card: ModelCard, s: MonitoringDeploySettings, schemasDir?: string): string {
  const contract = loadContract(card.schema.name, { dir: schemasDir });
  const days = [...card.lineage.partitions].sort();
  const filter = {
    ...(days.length > 0 ? { from: days[0], to: nextDay(days[days.length - 1]) } : {}),
    ...{ since: card.split.train.from, until: card.split.train.to },
  };
  const sql = bigQueryFeatureSql({ projectId: s.trainingDataset.projectId, dataset: s.trainingDataset.dataset });
  return featureRowsSql(contract, card.target.name, card.features, sql, filter);
}
