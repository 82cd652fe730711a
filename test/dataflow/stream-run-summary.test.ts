import { READ_COUNTER } from "../../pipelines/ingest-pipeline";
import {
  DEAD_LETTERS_COUNTER,
  EVENTS_REFUSED_COUNTER,
  EVENTS_SENT_COUNTER,
} from "../../pipelines/dataflow/ingest-steps";
import { streamDuplicatesSql, streamRunSummary } from "../../pipelines/dataflow/stream-run-summary";
import { loadContract } from "../../schemas/load";

const contract = loadContract("flights");
const run = { runId: "rox-stream-1", startedAt: "2001-01-02T00:00:00.000Z", finishedAt: "2001-01-02T01:00:00.000Z" };

describe("streamRunSummary (the stream's job_runs row from its metrics)", () => {
  test("written counts distinct events: sent, less refused rows, less re-sent copies; the counts reconcile", () => {
    const counters = {
      [READ_COUNTER]: 100,
      [EVENTS_SENT_COUNTER]: 93,
      [EVENTS_REFUSED_COUNTER]: 2,
      [DEAD_LETTERS_COUNTER]: 9,
    };
    const summary = streamRunSummary(contract, run, counters, 3);
    expect(summary).toStrictEqual({
      job: "stream",
      schema: "flights",
      ...run,
      read: 100,
      written: 88,
      deadLettered: 9,
      duplicates: 3,
      byTable: { flights: 88, dead_letters: 9 },
      byReason: { "duplicate/in_stream": 3 },
    });
    expect(summary.written + summary.deadLettered + summary.duplicates).toBe(summary.read);
  });

  test("a counter no element reached is zero", () => {
    const summary = streamRunSummary(contract, run, { [READ_COUNTER]: 4, [DEAD_LETTERS_COUNTER]: 4 }, 0);
    expect([summary.read, summary.written, summary.deadLettered, summary.byReason]).toStrictEqual([4, 0, 4, {}]);
  });

  test("the duplicates tally's SQL: the run's copies that are not first among the appended events, id quoted", () => {
    expect(streamDuplicatesSql("p.d", contract, "it's")).toBe(
      "SELECT COUNT(*) AS `duplicates` FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY `event_id` ORDER BY " +
        "`_ingested_at`, `_run_id`) AS `_copy` FROM `p.d.flights__appended`) " +
        "WHERE `_run_id` = 'it\\'s' AND `_copy` > 1",
    );
  });
});
