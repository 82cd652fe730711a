/**
 * `rox stream --score name@alias`: the streaming job's model feed. Before each micro-batch the reference is resolved
 * again in the registry (the job's own open warehouse); when the alias has moved, the new version is loaded (XGBoost
 * JSON through the TypeScript scorer, never a pickle) and scores from that micro-batch on. A check that fails keeps
 * the current version and says so; the first load failing stops the job before it reads anything. Just before that
 * check, the promotions `rox models promote` handed to the job (its warehouse's inbox: the job holds the DuckDB file)
 * are run in the job's connection and answered, so a promotion moves the alias for the very next micro-batch.
 */
import type { Warehouse } from "../../io/ports";
import { DUCKDB_FEATURE_SQL } from "../../io/feature-query";
import type { ModelFeed } from "../../pipelines/stream-score";
import { UsageError } from "../errors";
import { isGcsUri } from "../../io/identifiers/storage";
import type { WarehouseTarget } from "../warehouse";

type DuckDbTarget = Extract<WarehouseTarget, { kind: "duckdb" }>;
import { ModelSlot, registrySource } from "../serve/served-model";
import type { ModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import { inboxOf, PromoteInbox } from "./promote-inbox";
import { runPromotion, servePromotions } from "./promote-local";

export interface StreamModelOptions {
  ref: ModelRef;
  schema: string;
  target: WarehouseTarget;
  store?: string;
  storageEndpoint?: string;
  schemasDir?: string;
  log: (line: string) => void;
}

/** Scoring in the stream commits to the DuckDB warehouse only, for now: refused before anything is opened. */
export function checkScoreTarget(target: WarehouseTarget): DuckDbTarget {
  if (target.kind !== "duckdb")
    throw new UsageError("--score commits predictions to the DuckDB warehouse only (not yet --warehouse bigquery)");
  return target;
}

export function streamModelFeed(o: StreamModelOptions, warehouse: Warehouse): ModelFeed {
  const target = checkScoreTarget(o.target);
  const open = (w: Warehouse) => openRegistry(w, o.target, o.store, o.storageEndpoint);
  const useWarehouse = <T>(run: (w: Warehouse) => Promise<T>) => run(warehouse);
  const slot = new ModelSlot(registrySource(o.ref, useWarehouse, open, o.schemasDir), o.log, "rox stream");
  const inbox = new PromoteInbox(inboxOf(target.file));
  const promote = (p: Parameters<typeof runPromotion>[1]) =>
    runPromotion(open(warehouse), { ...p, schemasDir: p.schemasDir ?? o.schemasDir });
  const current = async () => {
    const log = (line: string) => o.log(`rox stream: ${line}`);
    await servePromotions(inbox, promote, log).catch((err: Error) => {
      log(`the promotion inbox ${inbox.dir} could not be read (${err.message}); scoring goes on`);
    });
    await slot.refresh().catch((err: Error) => {
      if (!slot.current) throw err;
      o.log(`rox stream: checking ${slot.ref} failed, v${slot.current.version} keeps scoring: ${err.message}`);
    });
    const model = slot.current!;
    if (model.scorer.card.schema.name !== o.schema)
      throw new UsageError(`--score ${slot.ref}: the model scores ${model.scorer.card.schema.name}, not ${o.schema}`);
    return { name: model.name, version: model.version, scorer: model.scorer };
  };
  return { current, sql: DUCKDB_FEATURE_SQL };
}

/** The stream template's scoring parameters: the version an alias names when the Dataflow job starts. */
export interface PinnedStreamModel {
  model: string;
  modelVersion: string;
  modelUri: string;
}

/**
 * `rox stream --runner dataflow --score name@alias`: the reference resolved once, now, in the registry of the job's
 * BigQuery dataset; the job scores with that version for its life (relaunch or update it to follow the alias). The
 * workers read the version's files from the `gs://` store, so a local store is refused.
 */
export async function pinStreamModel(o: Omit<StreamModelOptions, "log">): Promise<PinnedStreamModel> {
  const { withWarehouse } = await import("../warehouse");
  const model = await withWarehouse(o.target, (w) =>
    openRegistry(w, o.target, o.store, o.storageEndpoint).resolve(o.ref),
  );
  if (model.schema !== o.schema)
    throw new UsageError(`--score ${o.ref.name}: the model scores ${model.schema}, not ${o.schema}`);
  if (!isGcsUri(model.uri))
    throw new UsageError(`Dataflow workers read the model from a gs:// store (--store gs://…); ${model.uri} is local`);
  return { model: model.name, modelVersion: String(model.version), modelUri: model.uri };
}
