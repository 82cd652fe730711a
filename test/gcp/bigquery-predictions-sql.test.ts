import { predictionCommitScript, type PredictionCommitPlan } from "../../io/gcp/bigquery/bigquery-predictions-sql";

const ref = { projectId: "p", dataset: "d" };
const field = (name: string, type: string) => ({ name, type, mode: "NULLABLE" as const });
const plan = (extra: Partial<PredictionCommitPlan> = {}): PredictionCommitPlan => ({
  ref,
  predictions: {
    stage: "_rox_stage_t_flights_predictions",
    target: "flights_predictions",
    fields: [field("event_id", "STRING"), field("prediction", "FLOAT64")],
  },
  scope: "_rox_stage_t_score_scope",
  fresh: 7,
  summary: { table: "job_runs", stage: "_rox_stage_t_job_runs" },
  ...extra,
});

describe("predictionCommitScript: one transaction job per scoring run", () => {
  test("new predictions only, guarded by the count taken before; the run merged into job_runs", () => {
    const lines = predictionCommitScript(plan()).split("\n");
    expect(lines[0]).toBe("BEGIN TRANSACTION;");
    expect(lines.at(-1)).toBe("COMMIT TRANSACTION;");
    expect(lines[1]).toContain(") = 7, 0, ERROR(");
    expect(lines[2]).toBe(
      "INSERT INTO `p.d.flights_predictions` (`event_id`, `prediction`) SELECT s.`event_id`, s.`prediction` " +
        "FROM `p.d._rox_stage_t_flights_predictions` AS s WHERE NOT EXISTS (SELECT 1 FROM `p.d.flights_predictions` " +
        "AS p WHERE p.`event_id` = s.`event_id` AND p.`model` = s.`model` AND p.`model_version` = s.`model_version`);",
    );
    expect(lines[3]).toMatch(/^MERGE `p\.d\.job_runs` AS T USING `p\.d\._rox_stage_t_job_runs` AS S/);
    expect(lines).toHaveLength(5);
    expect(lines.join("\n")).not.toContain("DELETE");
  });

  test("replace: the scope's version and day (read from the scope table) counted, then deleted, first", () => {
    const lines = predictionCommitScript(plan({ replaced: 3 })).split("\n");
    const scoped =
      "`model` IN (SELECT `model` FROM `p.d._rox_stage_t_score_scope`) AND `model_version` IN (SELECT " +
      "`model_version` FROM `p.d._rox_stage_t_score_scope`) AND DATE(`event_time`) IN (SELECT `day` FROM " +
      "`p.d._rox_stage_t_score_scope`)";
    expect(lines[1]).toContain(`WHERE ${scoped}) = 3, 0, ERROR(`);
    expect(lines[2]).toBe(`DELETE FROM \`p.d.flights_predictions\` WHERE ${scoped};`);
    expect(lines[3]).toContain(") = 7, 0, ERROR(");
  });

  test("dead letters: only those not stored yet, base64-staged bytes decoded", () => {
    const deadLetters = {
      stage: "_rox_stage_t_dead_letters",
      target: "dead_letters",
      fields: [field("sourceUri", "STRING"), field("payloadBytes", "BYTES")],
      fresh: 2,
    };
    const lines = predictionCommitScript(plan({ deadLetters })).split("\n");
    expect(lines[3]).toContain(") = 2, 0, ERROR(");
    expect(lines[4]).toMatch(
      new RegExp(
        "^INSERT INTO `p\\.d\\.dead_letters` \\(`sourceUri`, `payloadBytes`\\) SELECT d\\.`sourceUri`, " +
          "FROM_BASE64\\(d\\.`payloadBytes`\\) FROM `p\\.d\\._rox_stage_t_dead_letters` AS d WHERE NOT EXISTS",
      ),
    );
  });
});
