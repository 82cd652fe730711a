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
import { warehouseTarget, withWarehouse, type WarehouseFlagValues, type WarehouseTarget } from "../warehouse";
import type { Contract } from "../../schemas/contract";
import type { ReportData } from "../../transforms/report/report-data";
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
  const data = await readData(target, contract, spec.target);
  const charts = reportCharts(data);
  const svgs = new Map<string, string>();
  for (const chart of charts) if (chart.spec) svgs.set(chart.id, await renderSvg(chart.spec));
  const where = target.kind === "duckdb" ? target.file : `BigQuery ${target.projectId}.${target.dataset}`;
  const html = reportHtml(data, charts, svgs, `${where}, model ${spec.name} (${contract.table}.${spec.target})`);
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  fs.writeFileSync(o.out, html);
  return {
    file: path.resolve(o.out),
    bytes: Buffer.byteLength(html),
    charts: charts.map((c) => ({ id: c.id, rendered: svgs.has(c.id) })),
  };
}

/** The report's rows from the chosen warehouse (the Google client loaded only for BigQuery). */
async function readData(target: WarehouseTarget, contract: Contract, field: string): Promise<ReportData> {
  if (target.kind === "bigquery") {
    const { readBigQueryReportData } = await import("../../io/gcp/bigquery/bigquery-report");
    const { kind: _kind, ...options } = target;
    return readBigQueryReportData(options, contract, field);
  }
  return withWarehouse(target, async (warehouse) => {
    const { DuckDbWarehouse } = await import("../../io/local/duckdb-warehouse");
    const { readReportData } = await import("../../io/local/duckdb-report");
    if (!(warehouse instanceof DuckDbWarehouse)) throw new UsageError("rox report reads DuckDB or BigQuery");
    return readReportData(warehouse, contract, field);
  });
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
