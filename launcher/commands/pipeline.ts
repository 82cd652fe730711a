import { oneOf, parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import type { Cli } from "../pipeline/steps";
import { pipelineFlags } from "../pipeline/values";

export const PIPELINE_TARGETS = ["vertex", "kubeflow"] as const;

export const pipelineUsage = `rox pipeline compile --out <pipeline.json> [--image <rox image>]
          | run --local --day YYYY-MM-DD --input-template <path with {date}> [--param name=value]… [--spec <pipeline.json>]
          | submit --target ${PIPELINE_TARGETS.join("|")} --day YYYY-MM-DD [--schedule "<cron>"] [--dry-run] [--config rox.config.json]
          | step <${["ingest", "train", "register", "promote", "score", "monitor"].join("|")}> --day D --platform local|gcp …
            [--fail-on-alert true|false] (monitor: an alert fails the step, exit 11; default true)`;

/** `rox pipeline`: compile the KFP spec, run it here, submit it to Vertex AI Pipelines or Kubeflow, or run one step. */
/** `cli` runs another rox command in this process (a step is one); main hands it its own command table. */
export async function pipelineCommand(argv: string[], cli?: Cli): Promise<unknown> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, pipelineFlags, verb === "step");
  if (verb === "compile") {
    const { compilePipeline } = await import("../pipeline/spec");
    compilePipeline(requireFlag(values.out, "out"), values.image);
    return console.log(`compiled the KFP pipeline to ${values.out}`);
  }
  if (verb === "run") {
    if (!values.local)
      throw new UsageError(
        "rox pipeline run runs here with --local; use rox pipeline submit for Vertex AI or Kubeflow",
      );
    return (await import("../pipeline/run-command")).runLocal(values);
  }
  if (verb === "submit")
    return (await import("../pipeline/submit-command")).submitPipeline(
      oneOf(values.target, "target", PIPELINE_TARGETS) ?? "vertex",
      values,
    );
  if (verb === "step") {
    if (!cli) throw new UsageError("rox pipeline step runs from the rox command line");
    return (await import("../pipeline/run-command")).runOneStep(positionals[0], values, cli);
  }
  throw new UsageError(`rox pipeline: unknown verb "${verb ?? ""}"\n  ${pipelineUsage}`);
}
