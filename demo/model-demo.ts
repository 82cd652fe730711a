/** The model half of `npm start`: train → register → promote → score a day → predictions next to the actual delays. */
import { DEFAULT_WAREHOUSE, withWarehouse } from "../launcher/warehouse";
import type { TrainResult } from "../launcher/train/train-run";
import type { RegisterResult } from "../launcher/models/registry";

const MODEL = "flights-delay";
export const SCORE_DAY = "2001-01-31";
type Cli = (argv: string[]) => Promise<number>;

export async function modelDemo(cli: Cli): Promise<number> {
  const { trainCommand } = await import("../launcher/commands/train");
  const { modelsCommand } = await import("../launcher/commands/models");
  console.log(
    `\n== rox train --model ${MODEL}   (XGBoost on the feature rows: the flight and its origin's previous hour)`,
  );
  const trained = (await trainCommand(["--model", MODEL])) as TrainResult;
  const modelDir = trained.local!.modelDir;
  console.log(`\n== rox models register --from ${modelDir}`);
  const { model } = (await modelsCommand(["register", "--from", modelDir])) as RegisterResult;
  console.log(
    `\n== rox models promote ${MODEL}@${model.version}   (gated: it must beat the champion on its held-out rows)`,
  );
  const promoted = await cli(["models", "promote", `${MODEL}@${model.version}`]);
  if (promoted !== 0) console.log("(the champion stays)");
  console.log(`\n== rox score --model ${MODEL}@champion --on flights --partition ${SCORE_DAY}`);
  const code = await cli(["score", "--model", `${MODEL}@champion`, "--on", "flights", "--partition", SCORE_DAY]);
  if (code !== 0) return code;
  await previewPredictions();
  console.log(`\n== rox models list ${MODEL}`);
  return cli(["models", "list", MODEL]);
}

async function previewPredictions(): Promise<void> {
  const sql = `SELECT p.event_id, strftime(f.date, '%Y-%m-%d %H:%M') AS departs, f.origin, f.destination, round(p.prediction, 1) AS predicted_delay,
      f.delay AS actual_delay, p.model || '@' || p.model_version AS model
    FROM flights_predictions p JOIN flights f USING (event_id)
    WHERE strftime(p.event_time, '%Y-%m-%d') = '${SCORE_DAY}' ORDER BY f.date, p.event_id LIMIT 8`;
  const errors = `SELECT count(*) AS scored, round(avg(abs(p.prediction - f.delay)), 2) AS mae_model,
      round(avg(abs((SELECT avg(delay) FROM flights WHERE date < '${SCORE_DAY}') - f.delay)), 2) AS mae_mean_of_earlier_days
    FROM flights_predictions p JOIN flights f USING (event_id) WHERE strftime(p.event_time, '%Y-%m-%d') = '${SCORE_DAY}'`;
  await withWarehouse({ kind: "duckdb", file: DEFAULT_WAREHOUSE }, async (warehouse) => {
    console.log(`\n== flights_predictions on ${SCORE_DAY}, next to the actual delays (minutes)`);
    console.table(await warehouse.query(sql));
    console.table(await warehouse.query(errors));
  });
}
