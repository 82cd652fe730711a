import type { Plan } from "../plan";
import { UsageError } from "../errors";
import { validateParameters } from "../template/validate-parameters";
import { defaultJobName, toLabelKey, toLabelValue } from "./names";
import { FLEX_TEMPLATES, type LaunchFlexTemplateRequest } from "./requests";
import type { DataflowSettings, JobKind } from "./settings";

/** One run's own inputs; everything else comes from the settings. */
export interface LaunchFlags {
  schema: { name: string; version: number };
  /** Names the job, labels it (`rox-run`) and is passed as the `runId` parameter, so the rows record the same id. */
  runId?: string;
  /** Batch input: a file, folder or glob URI; `{date}` in it is replaced by `date`. */
  input?: string;
  /** Batch partition `YYYY-MM-DD`: replaces `{date}` in `input`, and names and labels the job (`rox-partition`). */
  date?: string;
  /**
   * Leave `{date}` in `input` for the job's entry point to replace when it starts: scheduled launches, whose request
   * body is fixed when the schedule is created (see `launcher/schedule/plan-schedule.ts`).
   */
  dateAtRun?: boolean;
  /** Stream source: `projects/<p>/subscriptions/<s>`. */
  subscription?: string;
  /** `--param name=value`: passed as they are; win over everything else. */
  parameters?: Record<string, string>;
  /** Overrides the default name (see `defaultJobName`). */
  jobName?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The LaunchFlexTemplate request for one run. Its parameters are checked against the template's metadata with the
 * entry point's own check (TemplateParameterError lists every problem), so a launch that would fail never leaves.
 */
export function planLaunch(
  job: JobKind,
  settings: DataflowSettings,
  flags: LaunchFlags,
): Plan<LaunchFlexTemplateRequest> {
  if (flags.date !== undefined && !DATE.test(flags.date))
    throw new UsageError(`--date must be YYYY-MM-DD (got "${flags.date}")`);
  const parameters = validateParameters(settings.metadata, launchParameters(job, settings, flags));
  const jobName = flags.jobName ?? defaultJobName(job, flags.schema.name, flags.date, flags.runId);
  const labels = { ...userLabels(settings.labels), ...lineageLabels(job, flags) };
  const streamingEngine =
    job === "stream" ? { enableStreamingEngine: settings.environment.enableStreamingEngine ?? true } : {};
  return {
    summary: `launch ${job} job ${jobName} from ${settings.template} in ${settings.project}/${settings.region}`,
    service: FLEX_TEMPLATES,
    method: "LaunchFlexTemplate",
    request: {
      projectId: settings.project,
      location: settings.region,
      launchParameter: {
        jobName,
        containerSpecGcsPath: settings.template,
        parameters,
        environment: { ...settings.environment, ...streamingEngine, additionalUserLabels: labels },
      },
    },
  };
}

function launchParameters(job: JobKind, settings: DataflowSettings, flags: LaunchFlags): Record<string, string> {
  const own: Record<string, string> = { schema: flags.schema.name, ...runIdParameter(settings, flags) };
  if (job === "batch" && flags.input !== undefined)
    own.input = flags.dateAtRun ? flags.input : expandDate(flags.input, flags.date);
  if (job === "stream" && flags.subscription !== undefined) own.subscription = flags.subscription;
  return { ...settings.parameters, ...own, ...flags.parameters };
}

/** Templates built before `runId` existed do not take it: they keep labelling the job only, and their rows a random id. */
function runIdParameter(settings: DataflowSettings, flags: LaunchFlags): Record<string, string> {
  const accepted = settings.metadata.parameters.some((parameter) => parameter.name === "runId");
  return flags.runId && accepted ? { runId: flags.runId } : {};
}

function expandDate(input: string, date: string | undefined): string {
  if (!input.includes("{date}")) return input;
  if (date === undefined) throw new UsageError(`--input ${input} contains {date}: pass --date YYYY-MM-DD`);
  return input.split("{date}").join(date);
}

/** Labels that say where a job's rows came from: job kind, schema and its version, partition and run. */
function lineageLabels(job: JobKind, flags: LaunchFlags): Record<string, string> {
  const labels: Record<string, string> = {
    "rox-job": job,
    "rox-schema": toLabelValue(flags.schema.name),
    "rox-schema-version": String(flags.schema.version),
  };
  if (flags.date !== undefined) labels["rox-partition"] = toLabelValue(flags.date);
  if (flags.runId) labels["rox-run"] = toLabelValue(flags.runId);
  return labels;
}

function userLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [toLabelKey(k), toLabelValue(v)]));
}
