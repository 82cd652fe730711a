/**
 * The scoring graph's worker steps: the staged feature rows read where they live (a `gs://` JSON-lines object copied
 * through the synchronous bridge, or a local file in tests), and the shared scoring DoFn with the model version's
 * files copied from the `gs://` store once per worker. Parameters travel in the context argument.
 */
import { requireForSerialization } from "apache-beam/serialization";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isGcsUri } from "../../io/identifiers/storage";
import { readJsonLines } from "../../io/files/json-lines";
import type { GcsClientOptions } from "../../io/gcp/gcs/gcs-client";
import { copyObjectSync } from "../../io/gcp/gcs/gcs-sync";
import type { Counter } from "../../transforms/beam/sdk";
import { scoreRow, type Scored, type ScoreContext } from "../../transforms/beam/score";

const MODEL_FILES = ["card.json", "model.json"] as const;

/** The feature rows of one staged JSON-lines file (`gs://…` or a local path), in order. */
export function* readFeatureRows(uri: string, ctx: { storage: GcsClientOptions }): Generator<Record<string, unknown>> {
  if (!isGcsUri(uri)) return yield* readJsonLines(uri);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-feature-rows-"));
  try {
    const local = path.join(dir, "feature-rows.jsonl");
    copyObjectSync(uri, local, ctx.storage);
    yield* readJsonLines(local);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One local copy per worker and model version folder (`gs://…/<name>/v<n>`); a local folder is used as it is. */
const copies = new Map<string, string>();

export function localModelDir(modelDir: string, storage: GcsClientOptions): string {
  if (!isGcsUri(modelDir)) return modelDir;
  let dir = copies.get(modelDir);
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-model-"));
    for (const file of MODEL_FILES)
      copyObjectSync(`${modelDir.replace(/\/+$/, "")}/${file}`, path.join(dir, file), storage);
    copies.set(modelDir, dir);
  }
  return dir;
}

/** `scoreRow` (transforms/beam/score.ts) with the model's files fetched from the store on the worker's first row. */
export function scoreRowFromStore(
  row: Record<string, unknown>,
  ctx: ScoreContext & { read: Counter; storage: GcsClientOptions },
): Scored {
  // Named one by one: Beam hands a DoFn its context as an object whose values may sit on its prototype.
  const { model, modelVersion, table, schema, jobName, runId, nowMs, read, deadRecords } = ctx;
  const modelDir = localModelDir(ctx.modelDir, ctx.storage);
  return scoreRow(row, { model, modelVersion, table, schema, jobName, runId, nowMs, read, modelDir, deadRecords });
}

requireForSerialization("rox-gcp/pipelines/dataflow/score-steps", { readFeatureRows, scoreRowFromStore });
