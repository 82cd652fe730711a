import type { PipelineResult } from "apache-beam/runners/runner";
import { JobState_Enum, JobMessage_MessageImportance, type JobMessagesResponse } from "apache-beam/proto/beam_job_api";
import { RoxError } from "../../errors/rox-error";

/** What Dataflow answered a submission with: the job it created. */
export interface SubmittedJob {
  jobId: string;
  /** The job's page in the Google Cloud console, as Python's Dataflow runner names it. */
  consoleUrl?: string;
}

/** Dataflow (or the job service on its way there: staging, credentials, the endpoint) refused or failed the submission. */
export class DataflowSubmitError extends RoxError {
  readonly kind = "cloud";
  constructor(message: string) {
    super(message);
    this.name = "DataflowSubmitError";
  }
}

/** What the SDK's portable result holds at run time (not in its typings): the job service client and its job id. */
interface PortableHandle {
  jobId: string;
  runner: {
    getClient(): Promise<{
      getMessageStream(request: { jobId: string }): { responses: AsyncIterable<JobMessagesResponse> };
    }>;
  };
}

const CREATED = /Created job with id: \[([^\]]+)\]/;
const CONSOLE = /(https:\/\/console\.cloud\.google\.com\/dataflow\/jobs\/\S+)/;
const FAILED_STATES = [
  JobState_Enum.FAILED,
  JobState_Enum.CANCELLED,
  JobState_Enum.DRAINED,
  JobState_Enum.DONE,
  JobState_Enum.UPDATED,
];

/**
 * Python's Dataflow job service answers `run` at once and submits in a background thread: it stages the artifacts,
 * authenticates and calls `jobs.create`, logging each step to the job's message stream. This follows that stream
 * until Dataflow has created the job (its id, then the console URL) or the job service gives up (FAILED, with the
 * error it logged). The job service must stay alive until this resolves.
 */
export async function awaitDataflowAnswer(result: PipelineResult, logFile?: string): Promise<SubmittedJob> {
  const handle = result as unknown as PortableHandle;
  const client = await handle.runner.getClient();
  const errors: string[] = [];
  let jobId: string | undefined;
  for await (const { response } of client.getMessageStream({ jobId: handle.jobId }).responses) {
    if (response.oneofKind === "messageResponse") {
      const text = response.messageResponse.messageText;
      if (response.messageResponse.importance >= JobMessage_MessageImportance.JOB_MESSAGE_ERROR) errors.push(text);
      jobId ??= CREATED.exec(text)?.[1];
      const consoleUrl = CONSOLE.exec(text)?.[1];
      if (jobId && consoleUrl) return { jobId, consoleUrl };
    } else if (response.oneofKind === "stateResponse") {
      const state = response.stateResponse.state;
      if (jobId && state !== JobState_Enum.STARTING) return { jobId };
      if (FAILED_STATES.includes(state)) throw new DataflowSubmitError(refusal(JobState_Enum[state], errors, logFile));
    }
  }
  if (jobId) return { jobId };
  throw new DataflowSubmitError(refusal("gone", errors, logFile));
}

/** The job service's last error, reduced to the lines that say what went wrong (a Python traceback's last line). */
function refusal(state: string, errors: string[], logFile: string | undefined): string {
  const detail = [...new Set(errors.map(lastMeaningfulLine).filter((line) => line !== ""))];
  const log = logFile ? ` (the job service's log: ${logFile})` : "";
  const why = detail.length > 0 ? detail.join("; ") : "no error message";
  return `Dataflow did not create the job (job service ${state}): ${why}${log}`;
}

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return lines[lines.length - 1] ?? "";
}
