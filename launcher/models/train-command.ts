import { loadConfig } from "../config";
import { renderPlans } from "../plan";
import { withWarehouse } from "../warehouse";
import { loadModelSpec } from "../../schemas/model-spec";
import { trainPolling, trainWarehouse, type TrainFlags } from "../train/train-flags";
import { readTrainSettings } from "../train/settings";
import { sliceDialectOf } from "../train/slice-dialect";
import type { TrainResult } from "../train/train-run";
import { ModelNotFoundError } from "./errors";
import { openRegistry } from "./open-registry";
import { runModelTraining } from "./train-model";

/** `rox train --model <name>`: the champion (if any) from the registry, then the trainer on the model's feature rows. */
export async function trainModel(flags: TrainFlags): Promise<TrainResult> {
  const spec = loadModelSpec(flags.model!, { dir: flags.schemasDir });
  const config = loadConfig(flags.config);
  const settings = readTrainSettings(config, flags);
  const target = trainWarehouse(flags, config.project);
  const wait = await trainPolling(flags, settings.target);
  const result = await withWarehouse(target, async (warehouse) => {
    const registry = openRegistry(warehouse, target, flags.store);
    const champion = await registry.resolve({ name: spec.name, alias: "champion" }).catch((err: unknown) => {
      if (err instanceof ModelNotFoundError) return undefined;
      throw err;
    });
    const championDir = champion && (settings.target === "local" ? await registry.localFolder(champion) : champion.uri);
    return runModelTraining({
      spec,
      partition: flags.partition,
      settings,
      warehouse,
      dialect: sliceDialectOf(target),
      champion: championDir,
      dryRun: flags.dryRun,
      schemasDir: flags.schemasDir,
      vertexEndpoint: flags.endpoint,
      retrain: flags.retrain,
      wait,
    });
  });
  if (result.dryRun) console.log(renderPlans([result.plan]));
  else console.log((await import("./render")).renderModelTraining(result));
  return result;
}
