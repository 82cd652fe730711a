/**
 * `rox report`'s library: read the warehouse (runs, dead letters, monitoring, predictions against actual values),
 * build the charts, render each to SVG here, write one self-contained HTML file. Returns what it wrote.
 */
import * as fs from "fs";
import * as path from "path";
import { loadContract } from "../../schemas/load";
import { loadModelSpec, modelSpecsDir } from "../../schemas/model-spec";
import { reportCharts } from "../../transforms/report/charts";
import { reportHtml } from "../../transforms/report/html";
import { UsageError } from "../errors";
import { warehouseTarget, withWarehouse, type WarehouseFlagValues } from "../warehouse";
import { renderSvg } from "./render-svg";

export interface ReportOptions extends WarehouseFlagValues {
  out: string;
  /** The model spec whose table and target the predictions chart uses (default: the only spec there is). */
  model?: string;
  "schemas-dir"?: string;
}

export interface ReportResult {
  file: string;
  bytes: number;
  charts: { id: string; rendered: boolean }[];
}

export async function writeReport(o: ReportOptions): Promise<ReportResult> {
  const spec = loadModelSpec(o.model ?? onlyModel(o["schemas-dir"]), { dir: o["schemas-dir"] });
  const contract = loadContract(spec.schema, { dir: o["schemas-dir"] });
  const target = warehouseTarget(o);
  if (target.kind !== "duckdb")
    throw new UsageError("rox report reads the embedded warehouse (--warehouse <file.duckdb>)");
  const data = await withWarehouse(target, async (warehouse) => {
    const { DuckDbWarehouse } = await import("../../io/local/duckdb-warehouse");
    const { readReportData } = await import("../../io/local/duckdb-report");
    if (!(warehouse instanceof DuckDbWarehouse)) throw new UsageError("rox report reads the embedded warehouse");
    return readReportData(warehouse, contract, spec.target);
  });
  const charts = reportCharts(data);
  const svgs = new Map<string, string>();
  for (const chart of charts) if (chart.spec) svgs.set(chart.id, await renderSvg(chart.spec));
  const html = reportHtml(data, charts, svgs, `${target.file}, model ${spec.name} (${contract.table}.${spec.target})`);
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  fs.writeFileSync(o.out, html);
  return {
    file: path.resolve(o.out),
    bytes: Buffer.byteLength(html),
    charts: charts.map((c) => ({ id: c.id, rendered: svgs.has(c.id) })),
  };
}

function onlyModel(dir: string | undefined): string {
  const folder = modelSpecsDir(dir);
  const names = fs.existsSync(folder)
    ? fs
        .readdirSync(folder)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
    : [];
  if (names.length !== 1)
    throw new UsageError(`--model is needed to pick the model spec (${names.join(", ") || "none found"})`);
  return names[0];
}
