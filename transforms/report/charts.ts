/**
 * The report's charts as Vega-Lite specs (plain JSON, data inline): pure, so the same rows always give the same
 * charts. launcher/report renders them to SVG with vega and vega-lite.
 */
import type { ReportData } from "./report-data";

export type VegaLiteSpec = Record<string, unknown>;

export interface Chart {
  id: string;
  title: string;
  /** What the chart shows, or why it is empty. */
  note: string;
  spec?: VegaLiteSpec;
}

const WIDTH = 720;
const base = { width: WIDTH, background: "white" };

export function reportCharts(data: ReportData): Chart[] {
  return [runsChart(data), deadLettersChart(data), driftChart(data), predictionsChart(data)];
}

function runsChart(data: ReportData): Chart {
  const chart = { id: "runs", title: "Runs and their counts over time" };
  if (data.runs.length === 0) return { ...chart, note: "No run is recorded in job_runs yet." };
  const values = data.runs.flatMap((r) =>
    (["read", "written", "deadLettered", "duplicates"] as const).map((count) => ({
      startedAt: r.startedAt,
      job: r.job,
      runId: r.runId,
      count,
      records: r[count],
    })),
  );
  const spec = {
    ...base,
    height: 220,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "startedAt", type: "temporal", title: "run started (UTC)", axis: { format: "%Y-%m-%d %H:%M" } },
      y: { field: "records", type: "quantitative", title: "records" },
      color: { field: "count", type: "nominal", title: "count" },
    },
  };
  return { ...chart, note: `${data.runs.length} runs (job_runs): read = written + dead-lettered + duplicates.`, spec };
}

function deadLettersChart(data: ReportData): Chart {
  const chart = { id: "dead-letters", title: "Dead letters by reason" };
  if (data.deadLetters.length === 0) return { ...chart, note: "No dead letter in the warehouse." };
  const spec = {
    ...base,
    height: { step: 18 },
    data: { values: data.deadLetters },
    mark: "bar",
    encoding: {
      y: { field: "reason", type: "nominal", sort: "-x", title: "stage/reason", axis: { labelLimit: 400 } },
      x: { field: "records", type: "quantitative", title: "records" },
    },
  };
  const total = data.deadLetters.reduce((s, r) => s + r.records, 0);
  return { ...chart, note: `${total} dead-lettered records, all runs.`, spec };
}

function driftChart(data: ReportData): Chart {
  const chart = { id: "drift", title: "Drift per feature over time, against its threshold" };
  if (data.drift.length === 0) return { ...chart, note: "No monitoring rows yet: run rox monitor." };
  const layer = [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "day", type: "temporal", title: "day" },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "series", type: "nominal", title: "model" },
      },
    },
    // the threshold as a dashed rule across the panel (a rule per distinct threshold of the feature)
    {
      mark: { type: "rule", strokeDash: [4, 4], color: "firebrick" },
      encoding: { y: { field: "threshold", type: "quantitative" } },
    },
  ];
  const values = data.drift.map((d) => ({ ...d, series: `${d.model}@${d.version}` }));
  const header = { labelAngle: 0, labelOrient: "top", labelAnchor: "start", labelFontWeight: "bold" };
  const spec = {
    background: "white",
    data: { values },
    facet: { row: { field: "feature", type: "nominal", title: null, header } },
    spec: { width: WIDTH, height: 70, layer },
    resolve: { scale: { y: "independent" } },
  };
  const alerts = data.drift.filter((d) => d.alert).length;
  return { ...chart, note: `${data.drift.length} drift values; ${alerts} above the threshold (dashed).`, spec };
}

function predictionsChart(data: ReportData): Chart {
  const chart = { id: "predictions", title: "Predictions against actual values, per day" };
  if (data.predictions.length === 0) return { ...chart, note: "No predictions yet: run rox score." };
  const values = data.predictions.flatMap((p) => [
    { day: p.day, series: `${p.model}@${p.version} predicted`, mean: p.predicted, rows: p.rows },
    { day: p.day, series: "actual", mean: p.actual, rows: p.rows },
  ]);
  const spec = {
    ...base,
    height: 220,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "day", type: "temporal", title: "day" },
      y: { field: "mean", type: "quantitative", title: "mean per day" },
      color: { field: "series", type: "nominal", title: null, legend: { labelLimit: 300 } },
    },
  };
  const rows = data.predictions.reduce((s, p) => s + p.rows, 0);
  return { ...chart, note: `Mean prediction and mean actual value of the ${rows} scored events, by day.`, spec };
}
