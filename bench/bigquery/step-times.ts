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
 * length of one measurement; the table REST calls (create, drop, look up) are timed too, labelled "(REST) …". The calls still go to the emulator unchanged; `restore` puts the methods back.
 */
export function timeWarehouseSteps(): { steps: () => StepTime[]; restore: () => void } {
  const totals = new Map<string, StepTime>();
  const proto = BigQueryJobs.prototype;
  const originals = {
    run: proto.run,
    load: proto.load,
    ensureTable: proto.ensureTable,
    dropTable: proto.dropTable,
    tableExists: proto.tableExists,
  };
  const wrap = (original: JobsMethod, stepOf: (args: never[]) => string): JobsMethod =>
    async function (this: BigQueryJobs, ...args: never[]) {
      const step = stepOf(args).replace(/_rox_stage_[0-9a-f]+_/g, "_rox_stage_");
      const started = process.hrtime.bigint();
      try {
        return await original.apply(this, args);
      } finally {
        const total = totals.get(step) ?? { step, calls: 0, seconds: 0 };
        totals.set(step, { step, calls: total.calls + 1, seconds: total.seconds + secondsSince(started) });
      }
    };
  const arg = (i: number) => (args: never[]) => String(args[i]);
  const rest = (what: string) => (args: never[]) => `(REST) ${what} ${String(args[0])}`;
  proto.run = wrap(originals.run as JobsMethod, arg(1)) as typeof originals.run;
  proto.load = wrap(originals.load as JobsMethod, arg(3)) as typeof originals.load;
  proto.ensureTable = wrap(originals.ensureTable as JobsMethod, rest("create table")) as typeof originals.ensureTable;
  proto.dropTable = wrap(originals.dropTable as JobsMethod, rest("drop table")) as typeof originals.dropTable;
  proto.tableExists = wrap(originals.tableExists as JobsMethod, rest("look up table")) as typeof originals.tableExists;
  return {
    steps: () => [...totals.values()].sort((a, b) => b.seconds - a.seconds),
    restore: () => Object.assign(BigQueryJobs.prototype, originals),
  };
}
