/**
 * The streaming job's `job_runs` row from its metrics: the graph's counters (read, events sent to the write, rows the
 * write refused, dead letters) and the duplicates tally of its events. On Dataflow a re-sent id that Pub/Sub's id
 * dedupe did not drop is appended again (the events and window views count it once): the tally counts those copies, and
 * `written` counts distinct events, so `read = written + deadLettered + duplicates` as locally.
 */
import { READ_COUNTER } from "../ingest-pipeline";
import { str } from "../../io/gcp/bigquery/bigquery-sql";
import type { Contract } from "../../schemas/contract";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { runDuplicatesSql } from "../../transforms/first-copy-sql";
import { appendedEventsTableName } from "./stream-events";
import type { JobSummary } from "../../transforms/summary";
import { DEAD_LETTERS_COUNTER, EVENTS_REFUSED_COUNTER, EVENTS_SENT_COUNTER } from "./ingest-steps";

export interface StreamRun {
  runId: string;
  startedAt: string;
  finishedAt: string;
}

/**
 * The run's appended events that are not their id's first copy (`project.dataset`; `runDuplicatesSql`), also when
 * the first was appended by an earlier run; one row, `duplicates`.
 */
export function streamDuplicatesSql(dataset: string, contract: Contract, runId: string): string {
  const appended = `\`${dataset}.${appendedEventsTableName(contract)}\``;
  return runDuplicatesSql(contract.idField, appended, str(runId), (name) => `\`${name}\``);
}

/** Counters by name (a missing one is 0: nothing passed that step) and the tally → the run's summary. */
export function streamRunSummary(
  contract: Contract,
  run: StreamRun,
  counters: Readonly<Record<string, number>>,
  duplicates: number,
): JobSummary {
  const count = (name: string) => counters[name] ?? 0;
  const landed = count(EVENTS_SENT_COUNTER) - count(EVENTS_REFUSED_COUNTER);
  const deadLettered = count(DEAD_LETTERS_COUNTER);
  return {
    job: "stream",
    schema: contract.name,
    ...run,
    read: count(READ_COUNTER),
    written: landed - duplicates,
    deadLettered,
    duplicates,
    byTable: { [contract.table]: landed - duplicates, [DEAD_LETTER_TABLE]: deadLettered },
    byReason: duplicates > 0 ? { "duplicate/in_stream": duplicates } : {},
  };
}
