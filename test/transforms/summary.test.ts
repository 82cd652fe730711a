import { addCounts, emptyCounts, renderSummary, unaccounted, type JobSummary } from "../../transforms/summary";

describe("summary counts", () => {
  test("adding chunks adds every count and tally", () => {
    const a = {
      read: 5,
      written: 3,
      deadLettered: 1,
      duplicates: 1,
      byTable: { flights: 3 },
      byReason: { "validate/constraint.max": 1 },
    };
    const b = {
      read: 2,
      written: 1,
      deadLettered: 1,
      duplicates: 0,
      byTable: { flights: 1, dead_letters: 1 },
      byReason: { "validate/constraint.max": 1 },
    };
    expect(addCounts(addCounts(emptyCounts(), a), b)).toStrictEqual({
      read: 7,
      written: 4,
      deadLettered: 2,
      duplicates: 1,
      byTable: { flights: 4, dead_letters: 1 },
      byReason: { "validate/constraint.max": 2 },
    });
  });

  test.each([
    [{ read: 10, written: 7, deadLettered: 2, duplicates: 1 }, 0],
    [{ read: 10, written: 7, deadLettered: 2, duplicates: 0 }, 1],
    [{ read: 9, written: 7, deadLettered: 2, duplicates: 1 }, -1],
  ])("unaccounted(%j) = %d", (counts, expected) => {
    expect(unaccounted({ ...emptyCounts(), ...counts })).toBe(expected);
  });

  test("renders a readable table that says whether it reconciles", () => {
    const summary: JobSummary = {
      job: "batch",
      runId: "batch-1",
      schema: "flights",
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:00:02.500Z",
      read: 1234,
      written: 1200,
      deadLettered: 30,
      duplicates: 4,
      byTable: { flights: 1200 },
      byReason: { "decode/malformed_json": 30, "duplicate/in_batch": 4 },
    };
    const text = renderSummary(summary);
    expect(text).toMatch(/^read\s+1,234$/m);
    expect(text).toMatch(/^reconciles\s+yes$/m);
    expect(text).toMatch(/^elapsed\s+2\.5 s$/m);
    expect(text).toMatch(/reason decode\/malformed_json\s+30/);
    expect(renderSummary({ ...summary, written: 1199 })).toContain("NO (1 unaccounted)");
  });
});
