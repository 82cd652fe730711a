import { BigQueryJobs } from "../../io/gcp/bigquery/bigquery-client";
import { secondsSince } from "./timed-warehouse";

export interface StepTime {
  step: string;
  calls: number;
  seconds: number;
}

type JobsMethod = (this: BigQueryJobs, ...args: never[]) => Promise<unknown>;

/**
 * Times every BigQuery job the warehouse runs, by the step name it already passes to `run` and `load` (the warehouse's
 * own labels, e.g. "find the events already present"), by wrapping those two methods of the client class for the
 * length of one measurement. The calls still go to the emulator unchanged; `restore` puts the methods back.
 */
export function timeWarehouseSteps(): { steps: () => StepTime[]; restore: () => void } {
  const totals = new Map<string, StepTime>();
  const originals = { run: BigQueryJobs.prototype.run, load: BigQueryJobs.prototype.load };
  const wrap = (original: JobsMethod, stepArg: number): JobsMethod =>
    async function (this: BigQueryJobs, ...args: never[]) {
      const step = String(args[stepArg]).replace(/_rox_stage_[0-9a-f]+_/g, "_rox_stage_");
      const started = process.hrtime.bigint();
      try {
        return await original.apply(this, args);
      } finally {
        const total = totals.get(step) ?? { step, calls: 0, seconds: 0 };
        totals.set(step, { step, calls: total.calls + 1, seconds: total.seconds + secondsSince(started) });
      }
    };
  BigQueryJobs.prototype.run = wrap(originals.run as JobsMethod, 1) as typeof originals.run;
  BigQueryJobs.prototype.load = wrap(originals.load as JobsMethod, 3) as typeof originals.load;
  return {
    steps: () => [...totals.values()].sort((a, b) => b.seconds - a.seconds),
    restore: () => Object.assign(BigQueryJobs.prototype, originals),
  };
}
