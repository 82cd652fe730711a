import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { unaccounted } from "../../transforms/summary";
import { tempDir } from "../support/temp";

// A second event type, nested and with no features: only a new .avsc, no change to pipelines/ or launcher/.
const schemasDir = path.join(__dirname, "..", "fixtures", "schemas");

const click = (id: string, extra: Record<string, unknown> = {}) => ({
  click_id: id,
  ts: "2026-03-01T10:00:00+01:00",
  user: "u1",
  page: "/home",
  device: { os: "ios", screen_width: 390 },
  experiments: [{ code: "exp-1", variant: "treatment" }],
  tags: ["a"],
  ...extra,
});

test("the batch job runs a new schema from its .avsc alone", async () => {
  const work = tempDir("clicks");
  try {
    const input = path.join(work.dir, "clicks.jsonl");
    const lines = [
      click("c1"),
      click("c2", { device: { os: "windows" } }),
      click("c3", { experiments: [{ code: "BAD", variant: "control" }] }),
      click("c1"),
      click("c4", { price: "12.50", day: "2026-03-01" }),
    ].map((c) => JSON.stringify(c));
    fs.writeFileSync(input, lines.join("\n") + "\n");
    const warehouse = await DuckDbWarehouse.open(path.join(work.dir, "w.duckdb"));
    try {
      const summary = await runBatchJob({ input, schema: "clicks", schemasDir, workDir: work.dir }, warehouse);
      expect({
        read: summary.read,
        written: summary.written,
        dead: summary.deadLettered,
        dups: summary.duplicates,
      }).toStrictEqual({ read: 5, written: 2, dead: 2, dups: 1 });
      expect(unaccounted(summary)).toBe(0);
      const rows = await warehouse.query(
        "SELECT click_id, strftime(ts, '%H:%M') AS hhmm, device.os AS os, experiments[1].code AS code FROM clicks ORDER BY click_id",
      );
      expect(rows).toStrictEqual([
        { click_id: "c1", hhmm: "09:00", os: "ios", code: "exp-1" },
        { click_id: "c4", hhmm: "09:00", os: "ios", code: "exp-1" },
      ]);
      const dead = await warehouse.query("SELECT errorClass, errorMessage FROM dead_letters ORDER BY sourceLine");
      expect(dead.map((d) => d.errorClass)).toStrictEqual(["constraint.oneOf", "constraint.pattern"]);
      expect(String(dead[0].errorMessage)).toContain("device.os");
      expect(String(dead[1].errorMessage)).toContain("experiments[0].code");
    } finally {
      await warehouse.close();
    }
  } finally {
    work.cleanup();
  }
});
