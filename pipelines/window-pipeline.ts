import * as beam from "../transforms/beam/sdk";
import type { EventRecord } from "../schemas/contract";
import type { Accumulator } from "../transforms/features/module";
import { readJsonLinesFile } from "../io/files/beam-files";
import { accumulateOne, eventTimestamp, mergeWindowGroup } from "../transforms/beam/windows";
import type { RowSinks } from "./sinks";

export interface WindowSpecs {
  schema: string;
  schemasDir?: string;
  windows: { name: string; sizeSeconds: number }[];
}

export interface WindowPassOptions extends WindowSpecs {
  /** JSON lines of the events new to the warehouse (event time as epoch ms). */
  newEvents: string;
}

/** Events → event-time tumbling windows → per-key partial aggregates, one sink output per declared window. */
export function applyWindowAggregates(
  events: beam.PCollection<EventRecord>,
  specs: WindowSpecs,
  sinks: RowSinks,
): void {
  const { schema, schemasDir } = specs;
  for (const window of specs.windows) {
    const ctx = { schema, schemasDir, window: window.name };
    const partials = events
      .map(beam.withName(`accumulate ${window.name}`, accumulateOne), ctx)
      .apply(beam.withName(`timestamps ${window.name}`, beam.assignTimestamps(eventTimestamp)))
      .apply(beam.withName(`window ${window.name}`, beam.windowInto(beam.fixedWindows(window.sizeSeconds))))
      // Elements are already {key, value}: the SDK's groupByKey, without groupBy's extra keying step.
      .apply(beam.withName(`group ${window.name}`, beam.groupByKey<string, Accumulator>()))
      .map(beam.withName(`merge ${window.name}`, mergeWindowGroup), { ...ctx, bounds: beam.windowParam() });
    sinks.windowPartials(window.name, partials);
  }
}

/** The window pass over a file of events: used when part of a chunk was already in the warehouse. */
export function windowPipeline(options: WindowPassOptions, sinks: RowSinks) {
  return (root: beam.Root) => {
    const events = root.apply(beam.impulse()).flatMap(readJsonLinesFile, { path: options.newEvents });
    applyWindowAggregates(events, options, sinks);
  };
}
