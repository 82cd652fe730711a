import { loadContract } from "../../schemas/load";
import { ModelNotFoundError, PromotionRefusedError } from "./errors";
import { evaluateModels, type Evaluation } from "./evaluate";
import type { ModelRef } from "./model-ref";
import type { ModelRegistry, RegisteredModel } from "./registry";

export const CHAMPION = "champion";
export const CHALLENGER = "challenger";

export interface PromoteResult {
  model: RegisteredModel;
  alias: string;
  /** The version that held the alias before, if another one did. */
  previous?: RegisteredModel;
  /** Both models on the candidate's held-out rows, when the gate compared them. */
  evaluation?: Evaluation;
  forced: boolean;
}

/**
 * Moves `alias` to the candidate. `champion` is gated: a candidate replaces the champion only if it beats it (lower
 * MAE) on the candidate's own held-out rows — the rows its trainer never saw, scored now by both models — unless
 * `force`. Other aliases move freely.
 */
export async function promoteModel(
  registry: ModelRegistry,
  ref: ModelRef,
  alias: string,
  opts: { force?: boolean; schemasDir?: string } = {},
): Promise<PromoteResult> {
  const model = await registry.resolve(ref);
  const previous = await registry.resolve({ name: model.name, alias }).catch((err: unknown) => {
    if (err instanceof ModelNotFoundError) return undefined;
    throw err;
  });
  const forced = opts.force ?? false;
  if (previous?.version === model.version) return { model, alias, previous, forced };
  let evaluation: Evaluation | undefined;
  if (alias === CHAMPION && previous && !forced) {
    const card = await registry.card(model);
    const contract = loadContract(card.schema.name, { dir: opts.schemasDir });
    evaluation = await evaluateModels(registry, contract, [model, previous], {
      since: card.split.cutoff,
      until: card.split.test.to,
    });
    const [candidate, champion] = evaluation.models.map((m) => m.metrics);
    if (evaluation.rows - evaluation.unscorable === 0)
      throw new PromotionRefusedError(
        `${model.name}@${model.version}: its held-out rows (${card.split.cutoff} … ${card.split.test.to}) are not in the warehouse; use --force to promote without the comparison`,
      );
    if (!(candidate.mae < champion.mae)) {
      throw new PromotionRefusedError(
        `${model.name}@${model.version} does not beat the champion @${previous.version} on its ${evaluation.rows} held-out rows (MAE ${candidate.mae.toFixed(3)} vs ${champion.mae.toFixed(3)}); use --force to promote anyway`,
      );
    }
  }
  await registry.setAlias(model.name, model.version, alias);
  if (alias === CHAMPION) await registry.removeAlias(model.name, model.version, CHALLENGER);
  return {
    model: await registry.resolve({ name: model.name, version: model.version }),
    alias,
    previous,
    evaluation,
    forced,
  };
}
