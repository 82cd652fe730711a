/** The flags of `rox score`, shared by the command and the scoring libraries it calls (Beam, Vertex AI). */
import type { parseFlags } from "../args";
import { warehouseFlags } from "../warehouse";
import { runnerFlags } from "../commands/runner-flags";

export const scoreFlags = {
  model: { type: "string" },
  on: { type: "string" },
  partition: { type: "string" },
  "time-zone": { type: "string" },
  replace: { type: "boolean" },
  target: { type: "string" },
  store: { type: "string" },
  "storage-endpoint": { type: "string" },
  project: { type: "string" },
  config: { type: "string" },
  "schemas-dir": { type: "string" },
  "run-id": { type: "string" },
  summary: { type: "string" },
  endpoint: { type: "string" },
  ...warehouseFlags,
  /** `--runner dataflow` and its Dataflow options, as the ingest commands take them. */
  ...runnerFlags,
  "finalize-run": { type: "string" },
  /** `--runner dataflow`: submit, poll the job to DONE, finalize (the ingest launch's wait and flags). */
  "wait-until-done": { type: "boolean" },
  "poll-interval": { type: "string" },
  "max-wait": { type: "string" },
  /** `host:port` of the Dataflow API the wait polls (an in-test server); default Google's. */
  "jobs-endpoint": { type: "string" },
} as const;

export type ScoreValues = ReturnType<typeof parseFlags<typeof scoreFlags>>["values"];
