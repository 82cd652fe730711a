import { userCounters, type JobMetrics } from "../../pipelines/dataflow/job-metrics";

describe("userCounters (a Dataflow job's getMetrics answer → the counters of its job_runs row)", () => {
  test("committed user counters, summed over steps; tentative values, system metrics and non-integers left out", () => {
    const response: JobMetrics = {
      metricTime: "2001-01-02T01:00:00Z",
      metrics: [
        { name: { origin: "user", name: "records_read", context: { step: "s2", namespace: "n" } }, scalar: 70 },
        { name: { origin: "user", name: "records_read", context: { step: "s9", namespace: "n" } }, scalar: 30 },
        { name: { origin: "user", name: "records_read", context: { step: "s2", tentative: "true" } }, scalar: 101 },
        { name: { origin: "user", name: "dead_letters_sent_to_write", context: { step: "s7" } }, scalar: "9" },
        { name: { origin: "dataflow/v1b3", name: "ElementCount", context: { output_user_name: "x" } }, scalar: 5 },
        { name: { origin: "user", name: "latency", context: { step: "s3" } }, scalar: { count: 2, sum: 3 } },
        { name: { origin: "user", name: "ratio", context: { step: "s3" } }, scalar: 0.5 },
      ],
    };
    expect(userCounters(response)).toStrictEqual({ records_read: 100, dead_letters_sent_to_write: 9 });
  });

  test("a job that has reported nothing yet has no counters", () => {
    expect(userCounters({ metricTime: "2001-01-02T00:00:00Z" })).toStrictEqual({});
  });
});
