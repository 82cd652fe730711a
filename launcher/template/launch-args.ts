/**
 * The Flex Template entry point's command line, as the launcher passes it: `--name=value` for each template
 * parameter and each Dataflow option, plus our own `--validate-only` and `--job=batch|stream`. Pure.
 */
import { UsageError } from "../errors";
import { buildTemplateMetadata } from "./metadata";
import { JOB_BY_PARAMETER, TEMPLATE_JOBS, type TemplateJob } from "./parameters";
import { camelCaseOption, isDataflowOption } from "../../pipelines/dataflow/pipeline-options";
import { fillScheduledDate } from "./scheduled-date";
import { validateParameters } from "./validate-parameters";

export interface LaunchArgs {
  job: TemplateJob;
  /** Check the parameters and print them; load no runner and no Google client. */
  validateOnly: boolean;
  /** Template parameters, validated against the job's metadata. */
  parameters: Record<string, string>;
  /** Dataflow's own options, camelCased for the Beam TS SDK (`tempLocation`, `sdkContainerImage`, …). */
  pipelineOptions: Record<string, string>;
}

const OWN_FLAGS = new Set(["validate-only", "job"]);

/** Throws UsageError for a malformed argument or an unknown job, TemplateParameterError for bad parameters. */
export function parseLaunchArgs(argv: readonly string[], now: Date = new Date()): LaunchArgs {
  const flags = argv.map(splitFlag);
  const own = new Map(flags.filter(([name]) => OWN_FLAGS.has(name)));
  const parameters: Record<string, string> = {};
  const pipelineOptions: Record<string, string> = {};
  for (const [name, value] of flags) {
    if (OWN_FLAGS.has(name)) continue;
    if (isDataflowOption(name)) pipelineOptions[camelCaseOption(name)] = value;
    else parameters[name] = name === "input" ? fillScheduledDate(value, now) : value;
  }
  const job = chooseJob(own.get("job"), parameters);
  return {
    job,
    validateOnly: own.has("validate-only") && own.get("validate-only") !== "false",
    parameters: validateParameters(buildTemplateMetadata(job), parameters),
    pipelineOptions,
  };
}

/** `--name=value` → [name, value]; a bare `--name` is a boolean flag ("true"). */
function splitFlag(arg: string): [string, string] {
  const match = /^--([A-Za-z][A-Za-z0-9_-]*)(?:=([\s\S]*))?$/.exec(arg);
  if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: parameters are passed as --name=value`);
  return [match[1], match[2] ?? "true"];
}

function chooseJob(explicit: string | undefined, parameters: Record<string, string>): TemplateJob {
  if (explicit !== undefined) {
    if (!(TEMPLATE_JOBS as readonly string[]).includes(explicit))
      throw new UsageError(`--job must be one of ${TEMPLATE_JOBS.join(", ")} (got "${explicit}")`);
    return explicit as TemplateJob;
  }
  const named = Object.keys(parameters).filter((name) => Object.hasOwn(JOB_BY_PARAMETER, name));
  const jobs = [...new Set(named.map((name) => JOB_BY_PARAMETER[name]))];
  if (jobs.length === 1) return jobs[0];
  const keys = Object.keys(JOB_BY_PARAMETER)
    .map((k) => `--${k} (${JOB_BY_PARAMETER[k]})`)
    .join(" or ");
  throw new UsageError(`cannot tell which job to launch: pass exactly one of ${keys}, or --job`);
}
