/** The flags of `rox score`, shared by the command and the scoring libraries it calls (Beam, Vertex AI). */
import type { parseFlags } from "../args";
import { warehouseFlags } from "../warehouse";

export const scoreFlags = {
  model: { type: "string" },
  on: { type: "string" },
  partition: { type: "string" },
  "time-zone": { type: "string" },
  replace: { type: "boolean" },
  runner: { type: "string" },
  target: { type: "string" },
  "dry-run": { type: "boolean" },
  store: { type: "string" },
  "storage-endpoint": { type: "string" },
  project: { type: "string" },
  region: { type: "string" },
  config: { type: "string" },
  "schemas-dir": { type: "string" },
  "run-id": { type: "string" },
  summary: { type: "string" },
  endpoint: { type: "string" },
  ...warehouseFlags,
} as const;

export type ScoreValues = ReturnType<typeof parseFlags<typeof scoreFlags>>["values"];
