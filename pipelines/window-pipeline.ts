import * as beam from "apache-beam";
import { readJsonLinesFile } from "../io/local/beam-files";
import { accumulateOne, eventTimestamp, mergeWindowGroup, stampEventTime } from "../transforms/beam/windows";
import type { RowSinks } from "./sinks";

export interface WindowPassOptions {
  schema: string;
  schemasDir?: string;
  /** JSON lines of the events new to the warehouse (event time as epoch ms). */
  newEvents: string;
  windows: { name: string; sizeSeconds: number }[];
}

/** New events → event-time tumbling windows → per-key partial aggregates, one output per declared window. */
export function windowPipeline(options: WindowPassOptions, sinks: RowSinks) {
  const { schema, schemasDir } = options;
  return (root: beam.Root) => {
    const events = root.apply(beam.impulse()).flatMap(readJsonLinesFile, { path: options.newEvents });
    for (const window of options.windows) {
      const ctx = { schema, schemasDir, window: window.name };
      const partials = events
        .map(beam.withName(`stamp ${window.name}`, stampEventTime), ctx)
        .apply(beam.withName(`timestamps ${window.name}`, beam.assignTimestamps(eventTimestamp)))
        .apply(beam.withName(`window ${window.name}`, beam.windowInto(beam.fixedWindows(window.sizeSeconds))))
        .map(beam.withName(`accumulate ${window.name}`, accumulateOne), ctx)
        .apply(beam.withName(`group ${window.name}`, beam.groupBy("key")))
        .map(beam.withName(`merge ${window.name}`, mergeWindowGroup), { ...ctx, bounds: beam.windowParam() });
      sinks.windowPartials(window.name, partials);
    }
  };
}
