import type { FeatureRowsFilter } from "../../io/feature-query";
import { loadContract } from "../../schemas/load";
import { UsageError } from "../errors";
import { evaluateModels, type Evaluation } from "./evaluate";
import { parseModelRef } from "./model-ref";
import { promoteModel, CHALLENGER, type PromoteResult } from "./promote";
import type { ModelRegistry, RegisteredModel, RegisterResult } from "./registry";
import { renderMetrics, renderModelRow } from "./render";
import { renderPlans } from "../plan";
import { planVertexAliases, planVertexUpload, type VertexModelSettings } from "./vertex-plans";

export async function register(registry: ModelRegistry, dir: string, aliases: string[]): Promise<RegisterResult> {
  const result = await registry.register(dir, aliases.length ? aliases : [CHALLENGER]);
  const m = result.model;
  console.log(
    `${result.added ? "registered" : "already registered"} ${m.name}@${m.version}${m.aliases.length ? ` [${m.aliases.join(", ")}]` : ""} in ${m.uri}`,
  );
  return result;
}

export async function list(registry: ModelRegistry, name?: string): Promise<RegisteredModel[]> {
  const models = await registry.list(name);
  console.log(models.length ? models.map(renderModelRow).join("\n") : "no models registered");
  return models;
}

export async function show(registry: ModelRegistry, ref: string): Promise<unknown> {
  const card = await registry.card(await registry.resolve(parseModelRef(ref)));
  console.log(JSON.stringify(card, null, 2));
  return card;
}

export interface VertexTarget {
  settings: VertexModelSettings;
  dryRun: boolean;
  endpoint?: string;
  /** `rox serve`'s warehouse flags for a serving image's container (absent: a local warehouse). */
  serveArgs?: string[];
}

/** Uploads a registered version (stored in Cloud Storage) to Vertex AI Model Registry. */
export async function upload(registry: ModelRegistry, ref: string, vertex: VertexTarget): Promise<unknown> {
  const model = await registry.resolve(parseModelRef(ref));
  const plan = planVertexUpload(vertex.settings, model, await registry.card(model), vertex.serveArgs);
  if (vertex.dryRun) return console.log(renderPlans([plan]));
  const { applyVertexUpload } = await import("./vertex-apply");
  const uploaded = await applyVertexUpload(plan, vertex.settings.region, vertex.endpoint);
  console.log(`${plan.summary}: ${uploaded.model} version ${uploaded.versionId}`);
  return uploaded;
}

export async function promote(
  registry: ModelRegistry,
  ref: string,
  alias: string,
  o: { force: boolean; schemasDir?: string; vertex?: VertexTarget },
): Promise<PromoteResult | unknown> {
  if (o.vertex?.dryRun) {
    const model = await registry.resolve(parseModelRef(ref));
    return console.log(
      renderPlans([
        planVertexAliases(
          o.vertex.settings,
          model.name,
          model.version,
          [alias],
          alias === "champion" ? [CHALLENGER] : [],
        ),
      ]),
    );
  }
  const result = await promoteModel(registry, parseModelRef(ref), alias, { force: o.force, schemasDir: o.schemasDir });
  if (o.vertex) {
    const { applyVertexAliases } = await import("./vertex-apply");
    const plan = planVertexAliases(
      o.vertex.settings,
      result.model.name,
      result.model.version,
      [alias],
      alias === "champion" ? [CHALLENGER] : [],
    );
    const merged = await applyVertexAliases(plan, o.vertex.settings.region, o.vertex.endpoint);
    console.log(`Vertex AI: version ${merged.versionId} has ${merged.aliases.join(", ")}`);
  }
  return printPromotion(result);
}

/** A promotion's outcome as `rox models promote` prints it, whether it ran here or in the job holding the warehouse. */
export function printPromotion(result: PromoteResult): PromoteResult {
  const { model, previous, evaluation, alias } = result;
  if (evaluation) console.log(renderEvaluation(evaluation));
  const from = previous && previous.version !== model.version ? ` (was @${previous.version})` : "";
  console.log(`${model.name}@${model.version} is ${alias}${from}${result.forced ? " (forced)" : ""}`);
  return result;
}

export async function evaluate(
  registry: ModelRegistry,
  refs: string[],
  table: string,
  filter: FeatureRowsFilter,
  schemasDir?: string,
): Promise<Evaluation> {
  const models = await Promise.all(refs.map((r) => registry.resolve(parseModelRef(r))));
  const contract = loadContract(models[0].schema, { dir: schemasDir });
  if (contract.table !== table) throw new UsageError(`--on ${table}: ${models[0].name} scores ${contract.table}`);
  const evaluation = await evaluateModels(registry, contract, models, filter);
  console.log(renderEvaluation(evaluation));
  return evaluation;
}

function renderEvaluation(e: Evaluation): string {
  const lines = e.models.map(
    (m) => `  ${m.name}@${m.version}: MAE ${m.metrics.mae.toFixed(2)}, RMSE ${m.metrics.rmse.toFixed(2)}`,
  );
  lines.push(`  mean (${e.mean.prediction.toFixed(2)}): MAE ${e.mean.mae.toFixed(2)}, RMSE ${e.mean.rmse.toFixed(2)}`);
  return [`on ${e.rows - e.unscorable} rows (${e.unscorable} unscorable):`, ...lines].join("\n");
}

export { renderMetrics };
