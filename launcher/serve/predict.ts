/**
 * One prediction request of Vertex AI's custom-container contract: `{"instances": [...], "parameters": {...}}` →
 * `{"predictions": [...], "model", "modelVersionId", "deployedModelId"?}`, one prediction per instance, in order.
 * A batch is answered whole or not at all: if any instance is invalid, the answer is 400 naming every invalid one
 * (index, field path, rule) and nothing is scored, so no instance is ever dropped silently.
 */
import { scoreFeatureRow } from "../../transforms/score/scorer";
import { onlineFeatureRow, windowKeyId, windowKeysOf } from "../../transforms/score/online-features";
import { isProblem, readInstance, type InstanceProblem, type ServedEvent } from "./instances";
import type { ServedModel } from "./served-model";
import type { WindowLookup } from "../../io/window-lookup";

export interface PredictOptions {
  maxInstances: number;
  deployedModelId?: string;
  nowMs: number;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Google's JSON error shape (what Vertex answers), plus the instances at fault. */
export function errorAnswer(status: number, message: string, instances?: InstanceProblem[]): Answer {
  const code = STATUS_NAMES[status] ?? "UNKNOWN";
  return { status, body: { error: { code: status, message, status: code, ...(instances ? { instances } : {}) } } };
}

export async function predict(
  model: ServedModel,
  windows: WindowLookup,
  body: unknown,
  o: PredictOptions,
): Promise<Answer> {
  const instances = instancesOf(body, o.maxInstances);
  if (typeof instances === "string") return errorAnswer(400, instances);
  const read = instances.map((instance, index) => readInstance(model.contract, instance, index, o.nowMs));
  const invalid = read.filter(isProblem);
  if (invalid.length > 0) {
    const message = `${invalid.length} of ${read.length} instances are invalid; none was scored`;
    return errorAnswer(400, message, invalid);
  }
  const { predictions, problems } = await scoreAll(model, windows, read as ServedEvent[]);
  if (problems.length > 0) {
    return errorAnswer(422, `${problems.length} of ${read.length} instances cannot be scored; none was`, problems);
  }
  const answer = { predictions, model: model.name, modelVersionId: String(model.version) };
  return { status: 200, body: o.deployedModelId ? { ...answer, deployedModelId: o.deployedModelId } : answer };
}

function instancesOf(body: unknown, max: number): unknown[] | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body must be a JSON object";
  const { instances, parameters } = body as Record<string, unknown>;
  if (!Array.isArray(instances)) return `"instances" must be an array`;
  if (instances.length === 0) return `"instances" must not be empty`;
  if (instances.length > max) return `"instances" holds ${instances.length}; at most ${max} per request`;
  const plain = parameters === undefined || (typeof parameters === "object" && parameters !== null);
  if (!plain || Array.isArray(parameters)) return `"parameters" must be an object`;
  return instances;
}

interface Scored {
  predictions: number[];
  problems: InstanceProblem[];
}

async function scoreAll(model: ServedModel, windows: WindowLookup, events: ServedEvent[]): Promise<Scored> {
  const { card } = model.scorer;
  const keys = events.flatMap((e) => windowKeysOf(model.contract, card.features, e.event));
  const rows = await windows.rows(keys);
  const predictions: number[] = [];
  const problems: InstanceProblem[] = [];
  events.forEach((e, index) => {
    const row = onlineFeatureRow(
      model.contract,
      card.features,
      e.event,
      e.columns,
      (k) => rows.get(windowKeyId(k)) ?? null,
    );
    const envelope = { payload: "", source: { uri: `instances[${index}]` }, attempt: 1 };
    const scored = scoreFeatureRow(model.scorer, row, envelope);
    if (scored.ok) predictions.push(scored.value);
    else problems.push({ index, field: "(features)", rule: scored.dead.errorClass, message: scored.dead.errorMessage });
  });
  return { predictions, problems };
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "FAILED_PRECONDITION",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};
