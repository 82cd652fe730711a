import type { VegaLiteSpec } from "../../transforms/report/charts";

/**
 * A Vega-Lite spec to SVG text, here, with vega and vega-lite (loaded lazily): compiled to Vega, run headless
 * (`renderer: "none"`), serialized. The data is inline, so the loader never fetches anything.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vegaLite = await import("vega-lite");
  const vega = await import("vega");
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const loader = vega.loader({ mode: "file" });
  loader.load = () => Promise.reject(new Error("the report's charts load nothing: their data is inline"));
  const view = new vega.View(vega.parse(compiled), { renderer: "none", loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
