import { parseFlags, requireFlag } from "../args";
import { warehouseFlags } from "../warehouse";

export const reportUsage = `rox report --out report.html [--model <spec name>] [--schemas-dir <dir>]
          [--warehouse <file.duckdb>|bigquery --project P --dataset D [--location L] [--bigquery-endpoint URL]]`;

const reportFlags = {
  out: { type: "string" },
  model: { type: "string" },
  project: { type: "string" },
  "schemas-dir": { type: "string" },
  ...warehouseFlags,
} as const;

/** `rox report`: one self-contained HTML file of runs, dead letters, drift and predictions, charts as inline SVG. */
export async function reportCommand(argv: string[]): Promise<unknown> {
  const { values } = parseFlags(argv, reportFlags);
  const out = requireFlag(values.out, "out");
  const { writeReport } = await import("../report/write-report");
  const result = await writeReport({ ...values, out });
  const rendered = result.charts.filter((c) => c.rendered).map((c) => c.id);
  console.log(
    `report: ${result.file} (${result.bytes.toLocaleString("en-US")} bytes; charts: ${rendered.join(", ") || "none"})`,
  );
  return result;
}
