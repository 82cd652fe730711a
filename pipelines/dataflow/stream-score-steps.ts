/**
 * The streaming graph's scoring DoFn: a written event → its feature row (the event's columns and per-event features,
 * and per window feature its key's last complete window, read through the online lookup) → the shared scoring step
 * (`scoreRowFromStore`: the model's files copied once per worker, the trees parsed once). A score dead letter stands
 * for no record (the event was written), as in the local job. Parameters travel in the context argument.
 */
import { requireForSerialization } from "apache-beam/serialization";
import type { Contract, EventRecord } from "../../schemas/contract";
import { loadContract } from "../../schemas/load";
import { featureModule } from "../../transforms/features";
import { scorerOf, type ScoreContext, type Scored } from "../../transforms/beam/score";
import type { Counter } from "../../transforms/beam/sdk";
import { windowKeyId, windowKeysOf } from "../../transforms/score/online-features";
import { streamFeatureRow } from "../../transforms/score/stream-scoring";
import type { GcsClientOptions } from "../../io/gcp/gcs/gcs-client";
import type { FailedRow } from "./bigquery-write";
import { failedRowToDeadLetter, type FailedWriteContext } from "./ingest-steps";
import { localModelDir, scoreRowFromStore } from "./score-steps";
import type { LookupSettings } from "./window-lookup-protocol";
import { lookupWindowRowsSync } from "./window-lookup-sync";

export interface StreamScoreContext extends ScoreContext {
  schemasDir?: string;
  storage: GcsClientOptions;
  lookup: LookupSettings;
}

const contracts = new Map<string, Contract>();

function contractOf(ctx: { schema: string; schemasDir?: string }): Contract {
  const key = `${ctx.schemasDir ?? ""}\u0000${ctx.schema}`;
  let contract = contracts.get(key);
  if (!contract) contracts.set(key, (contract = loadContract(ctx.schema, { dir: ctx.schemasDir })));
  return contract;
}

/** A first-of-id event (normalized, times as epoch ms) → its prediction row or a score dead letter (records 0). */
export function scoreStreamEvent(event: EventRecord, ctx: StreamScoreContext & { read: Counter }): Scored {
  // Named one by one: Beam hands a DoFn its context as an object whose values may sit on its prototype.
  const { model, modelVersion, table, schema, schemasDir, jobName, runId, nowMs, read, storage, lookup } = ctx;
  const contract = contractOf({ schema, schemasDir });
  const modelDir = localModelDir(ctx.modelDir, storage);
  const features = scorerOf({ modelDir }).card.features;
  const columns = { ...event, ...featureModule(contract.features?.module).eventFeatures(event) };
  const rows = lookupWindowRowsSync(lookup, windowKeysOf(contract, features, event));
  const row = streamFeatureRow(contract, features, columns, (key) => rows.get(windowKeyId(key)) ?? null);
  const score = { model, modelVersion, table, schema, jobName, runId, nowMs, read, storage, modelDir, deadRecords: 0 };
  return scoreRowFromStore(row, score);
}

/** A prediction row the destination refused → a dead letter of stage `write` standing for no record (as a score one). */
export function refusedPredictionToDeadLetter(failed: FailedRow, ctx: FailedWriteContext): Record<string, unknown> {
  return { ...failedRowToDeadLetter(failed, ctx), records: 0 };
}

requireForSerialization("rox-gcp/pipelines/dataflow/stream-score-steps", {
  scoreStreamEvent,
  refusedPredictionToDeadLetter,
});
