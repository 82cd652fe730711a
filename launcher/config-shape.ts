/**
 * The one declaration of `rox.config.json`'s shape: every key at every level, and the type of its value. `loadConfig`
 * checks a file against it before any command reads a setting, so a misspelled key (`maxWorkerz`) is an error that
 * names it and the nearest valid key instead of a setting silently left at its default. The domain modules
 * (`dataflow/settings.ts`, `train/settings.ts`, `schedule/settings.ts`) read the values; a key they read must be here.
 */
import { didYouMean } from "../schemas/nearest-name";

export type ValueShape =
  | { kind: "string" }
  | { kind: "positiveInteger" }
  /** A finite number above 0 (a threshold). */
  | { kind: "positiveNumber" }
  | { kind: "boolean" }
  | { kind: "oneOf"; values: readonly string[] }
  | { kind: "stringList" }
  /** An object whose keys are the user's (labels, template parameters): any key, string values. */
  | { kind: "stringMap" }
  | { kind: "object"; fields: ReadonlyMap<string, ValueShape> }
  /** An object whose keys are the user's (feature names), each value of one shape. */
  | { kind: "map"; values: ValueShape };

const string: ValueShape = { kind: "string" };
const positiveInteger: ValueShape = { kind: "positiveInteger" };
const positiveNumber: ValueShape = { kind: "positiveNumber" };
const boolean: ValueShape = { kind: "boolean" };
const stringList: ValueShape = { kind: "stringList" };
const stringMap: ValueShape = { kind: "stringMap" };
const oneOf = (values: readonly string[]): ValueShape => ({ kind: "oneOf", values });
const object = (fields: Record<string, ValueShape>): ValueShape => ({
  kind: "object",
  fields: new Map(Object.entries(fields)),
});

/** A Dataflow job's worker environment, labels and parameters: allowed in `dataflow` and in `dataflow.batch|stream`. */
const DATAFLOW_COMMON = {
  tempLocation: string,
  stagingLocation: string,
  serviceAccountEmail: string,
  network: string,
  subnetwork: string,
  machineType: string,
  numWorkers: positiveInteger,
  maxWorkers: positiveInteger,
  enableStreamingEngine: boolean,
  labels: stringMap,
  parameters: stringMap,
};
const DATAFLOW_JOB = object({ ...DATAFLOW_COMMON, template: string, metadata: string });

export const TRAIN_TARGET_NAMES = ["local", "vertex-custom-job", "vertex-pipeline", "kubeflow"] as const;

/** Alert thresholds of `rox monitor` (transforms/monitor/thresholds.ts), per feature under `features`. */
const MONITORING = object({
  drift: positiveNumber,
  driftError: positiveNumber,
  nullRateIncrease: positiveNumber,
  deadLetterRate: positiveNumber,
  volumeChange: positiveNumber,
  errorFactor: positiveNumber,
  trailingDays: positiveInteger,
  features: { kind: "map", values: object({ threshold: positiveNumber, errorThreshold: positiveNumber }) },
});

export const CONFIG_SHAPE: ValueShape = object({
  project: string,
  region: string,
  dataflow: object({ ...DATAFLOW_COMMON, batch: DATAFLOW_JOB, stream: DATAFLOW_JOB }),
  schedule: object({ timeZone: string, serviceAccountEmail: string }),
  train: object({
    target: oneOf(TRAIN_TARGET_NAMES),
    image: string,
    machineType: string,
    args: stringList,
    serviceAccount: string,
    outputUri: string,
    pipelineTemplate: string,
    command: stringList,
    localOutputDir: string,
    kubeflow: object({
      endpoint: string,
      pipelineId: string,
      pipelineVersionId: string,
      experimentId: string,
      serviceAccount: string,
      auth: oneOf(["none", "adc"]),
    }),
  }),
  monitoring: MONITORING,
});

/**
 * What is wrong with `value` as `shape`, as one line naming the dotted key (`dataflow.batch.maxWorkerz`), or undefined
 * when it fits. Unknown keys are reported with the nearest valid key at that level, or with where the key belongs.
 */
export function configProblem(value: unknown, shape: ValueShape = CONFIG_SHAPE, where = ""): string | undefined {
  if (shape.kind === "map") return mapProblem(value, shape.values, where);
  if (shape.kind !== "object") return valueProblem(value, shape, where);
  if (!isPlainObject(value)) return `${where ? `"${where}"` : "the config"} must be an object`;
  for (const [key, child] of Object.entries(value)) {
    const at = where ? `${where}.${key}` : key;
    const fieldShape = shape.fields.get(key);
    if (fieldShape === undefined) return unknownKey(at, key, shape.fields);
    const problem = configProblem(child, fieldShape, at);
    if (problem) return problem;
  }
  return undefined;
}

function mapProblem(value: unknown, values: ValueShape, where: string): string | undefined {
  if (!isPlainObject(value)) return `"${where}" must be an object`;
  for (const [key, child] of Object.entries(value)) {
    const problem = configProblem(child, values, `${where}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

function valueProblem(value: unknown, shape: ValueShape, where: string): string | undefined {
  const [fits, expected] = fitsShape(value, shape);
  return fits ? undefined : `"${where}" must be ${expected}`;
}

/** Whether a (non-object) value fits, and what was expected, for the message. */
function fitsShape(value: unknown, shape: ValueShape): [boolean, string] {
  const strings = (items: unknown[]) => items.every((v) => typeof v === "string");
  switch (shape.kind) {
    case "string":
      return [typeof value === "string" && value !== "", "a non-empty string"];
    case "positiveInteger":
      return [Number.isSafeInteger(value) && (value as number) >= 1, "a positive integer"];
    case "positiveNumber":
      return [typeof value === "number" && Number.isFinite(value) && value > 0, "a number above 0"];
    case "boolean":
      return [typeof value === "boolean", "true or false"];
    case "oneOf": {
      const choices = shape.values.map((v) => `"${v}"`).join(", ");
      return [typeof value === "string" && shape.values.includes(value), `one of ${choices}`];
    }
    case "stringList":
      return [Array.isArray(value) && strings(value), "an array of strings"];
    case "stringMap":
      return [isPlainObject(value) && strings(Object.values(value)), "an object of strings"];
    case "object":
    case "map":
      return [isPlainObject(value), "an object"];
  }
}

function unknownKey(at: string, key: string, fields: ReadonlyMap<string, ValueShape>): string {
  const elsewhere = placesOf(key, CONFIG_SHAPE, "").filter((place) => place !== at);
  const belongs = ` ("${key}" belongs in ${elsewhere.map((p) => `"${p}"`).join(" or ")})`;
  const hint = elsewhere.length > 0 ? belongs : didYouMean(key, [...fields.keys()]);
  return `unknown key "${at}"${hint}`;
}

/** Every dotted path where `key` is valid, e.g. `template` → dataflow.batch.template, dataflow.stream.template. */
function placesOf(key: string, shape: ValueShape, where: string): string[] {
  if (shape.kind !== "object") return [];
  return [...shape.fields].flatMap(([name, child]) => {
    const at = where ? `${where}.${name}` : name;
    return [...(name === key ? [at] : []), ...placesOf(key, child, at)];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
