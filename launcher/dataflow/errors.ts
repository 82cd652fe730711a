/**
 * Errors of the Dataflow launcher. Template parameters that do not match the template are reported by
 * `TemplateParameterError` of `launcher/template/validate-parameters.ts`, the check the entry point runs too.
 */
import { RoxError } from "../../errors/rox-error";

/** A running job cannot be updated in place to the new graph; the operator should drain it and launch anew. */
export class UpdateIncompatibleError extends RoxError {
  readonly kind = "update-incompatible";
  constructor(
    readonly jobName: string,
    readonly reasons: readonly string[],
    readonly suggestion: string,
  ) {
    super(`${jobName} cannot be updated in place: ${reasons.join("; ")}. ${suggestion}`);
    this.name = "UpdateIncompatibleError";
  }
}

/** The launch request was accepted but the job failed (in its launcher or while running): the message is the job's own error. */
export class LaunchFailedError extends RoxError {
  readonly kind = "run-failed";
  constructor(
    readonly jobId: string,
    readonly jobName: string,
    readonly state: string,
    /** The job's JOB_MESSAGE_ERROR messages, oldest first. */
    readonly errors: readonly string[],
  ) {
    super(`${jobName} (${jobId}) ended in ${state}: ${describe(errors)}`);
    this.name = "LaunchFailedError";
  }
}

function describe(errors: readonly string[]): string {
  if (errors.length === 0) return "Dataflow reported no error message";
  const first = errors[0].split("\n")[0];
  return errors.length === 1 ? first : `${first} (and ${errors.length - 1} more)`;
}
