import type { parseFlags } from "../args";

/** `rox pipeline`'s flags, shared by the command and the verbs it hands on to. */
export const pipelineFlags = {
  out: { type: "string" },
  image: { type: "string" },
  local: { type: "boolean" },
  day: { type: "string" },
  "input-template": { type: "string" },
  param: { type: "string", multiple: true },
  spec: { type: "string" },
  target: { type: "string" },
  schedule: { type: "string" },
  "dry-run": { type: "boolean" },
  config: { type: "string" },
  endpoint: { type: "string" },
  schema: { type: "string" },
  model: { type: "string" },
  platform: { type: "string" },
  warehouse: { type: "string" },
  store: { type: "string" },
  upstream: { type: "string" },
  "result-file": { type: "string" },
  "fail-on-alert": { type: "string" },
} as const;

export type PipelineValues = ReturnType<typeof parseFlags<typeof pipelineFlags>>["values"];
