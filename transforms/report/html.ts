/**
 * The report as one self-contained HTML page: the charts inline as SVG, styles inline, no script and no reference to
 * anything outside the file, so it opens anywhere without a network.
 */
import type { Chart } from "./charts";
import type { ReportData } from "./report-data";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** `svgs` holds each chart's SVG by chart id (charts without data have none). */
export function reportHtml(
  data: ReportData,
  charts: readonly Chart[],
  svgs: ReadonlyMap<string, string>,
  source: string,
): string {
  const sections = charts.map((c) => {
    const svg = svgs.get(c.id);
    const figure = svg ? `<figure>${svg}</figure>` : "";
    const head = `<h2>${escapeHtml(c.title)}</h2><p>${escapeHtml(c.note)}</p>`;
    return `<section id="${escapeHtml(c.id)}">${head}${figure}</section>`;
  });
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>rox report</title>',
    `<style>${STYLE}</style></head><body>`,
    `<h1>rox report</h1><p>${escapeHtml(source)}, read ${escapeHtml(data.generatedAt)}.</p>`,
    ...sections,
    "</body></html>",
    "",
  ].join("\n");
}

const STYLE = [
  "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}",
  "h2{margin-top:2.5rem;border-bottom:1px solid #ddd}",
  "figure{margin:0;overflow-x:auto}",
].join("");
