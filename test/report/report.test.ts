/**
 * `rox report` on real flights through the real batch job (with a file of faults, so dead letters have reasons): one
 * HTML file whose charts are inline SVG rendered by vega, and that refers to nothing outside itself.
 */
import * as fs from "fs";
import * as path from "path";
import { reportCommand } from "../../launcher/commands/report";
import type { ReportResult } from "../../launcher/report/write-report";
import { runBatchJob } from "../../pipelines/batch-job";
import { reportCharts } from "../../transforms/report/charts";
import { escapeHtml } from "../../transforms/report/html";
import { captureConsole } from "../support/console-capture";
import { externalReferences } from "./external-references";
import { tempDir } from "../support/temp";
import { flightsWarehouse, withDuckDb } from "../models/fixture";

describe("rox report", () => {
  let work: ReturnType<typeof tempDir>;
  let warehouse: string;
  const output = captureConsole();

  beforeAll(async () => {
    work = tempDir("report");
    warehouse = await flightsWarehouse(work.dir, ["2001-01-08", "2001-01-09"], 1500);
    const faults = path.join(work.dir, "faults");
    fs.mkdirSync(faults);
    const good = fs.readFileSync(
      path.join(work.dir, "events", fs.readdirSync(path.join(work.dir, "events"))[0]),
      "utf8",
    );
    const first = JSON.parse(good.split("\n")[0]) as Record<string, unknown>;
    const bad = [
      "{not json",
      JSON.stringify({ ...first, id: "fault-1", distance: -5 }),
      JSON.stringify({ ...first, id: "fault-2", origin: undefined }),
    ];
    fs.writeFileSync(path.join(faults, "faults.jsonl"), bad.join("\n") + "\n");
    await withDuckDb(warehouse, (w) => runBatchJob({ input: faults, schema: "flights", workDir: work.dir }, w));
  }, 600_000);
  afterAll(() => work?.cleanup());

  test("writes one self-contained HTML file with the runs and dead letters as inline SVG", async () => {
    const out = path.join(work.dir, "out", "report.html");
    const result = (await reportCommand(["--out", out, "--warehouse", warehouse])) as ReportResult;
    expect(result.charts).toEqual([
      { id: "runs", rendered: true },
      { id: "dead-letters", rendered: true },
      { id: "drift", rendered: false },
      { id: "predictions", rendered: false },
    ]);
    expect(output.out.join("\n")).toContain(`report: ${out}`);
    const html = fs.readFileSync(out, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<svg\b/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script\b/i);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?https?:/i);
    // the dead letters' reasons are drawn as the chart's axis labels
    const reasons = await withDuckDb(warehouse, (w) =>
      w.query(`SELECT DISTINCT "errorStage" || '/' || "errorClass" AS r FROM dead_letters ORDER BY r`),
    );
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const { r } of reasons) expect(html).toContain(`>${escapeHtml(String(r))}</text>`);
    expect(html).toContain("No monitoring rows yet: run rox monitor.");
  });

  test("the charts are Vega-Lite specs of the rows; an empty warehouse gives notes, not charts", () => {
    const charts = reportCharts({ generatedAt: "x", runs: [], deadLetters: [], drift: [], predictions: [] });
    expect(charts.map((c) => [c.id, c.spec === undefined])).toEqual([
      ["runs", true],
      ["dead-letters", true],
      ["drift", true],
      ["predictions", true],
    ]);
    const drift = reportCharts({
      generatedAt: "x",
      runs: [],
      deadLetters: [],
      predictions: [],
      drift: [
        {
          day: "2001-01-12",
          model: "m",
          version: 1,
          feature: "distance",
          metric: "drift.jensen_shannon",
          value: 0.4,
          threshold: 0.3,
          alert: true,
        },
      ],
    })[2];
    expect(drift.note).toBe("1 drift values; 1 above the threshold (dashed).");
    expect(JSON.stringify(drift.spec)).toContain('"field":"threshold"');
  });

  test("escapes what it writes as text", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });
});
