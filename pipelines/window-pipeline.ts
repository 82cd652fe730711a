import * as beam from "../transforms/beam/sdk";
import type { EventRecord } from "../schemas/contract";
import type { Accumulator } from "../transforms/features/module";
import { readJsonLinesFile } from "../io/files/beam-files";
import { AccumulateInBundle, mergeWindowGroup } from "../transforms/beam/windows";
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

/**
 * Events → per-key partial aggregates of event-time tumbling windows, one sink output per declared window. Each bundle
 * accumulates its events per key and window and emits one stamped partial for each (combiner lifting, see
 * `AccumulateInBundle`); the group merges the partials of a window from every bundle.
 */
export function applyWindowAggregates(
  events: beam.PCollection<EventRecord>,
  specs: WindowSpecs,
  sinks: RowSinks,
): void {
  const { schema, schemasDir } = specs;
  for (const window of specs.windows) {
    const ctx = { schema, schemasDir, window: window.name };
    const accumulate = beam.parDo(new AccumulateInBundle(), { ...ctx, sizeSeconds: window.sizeSeconds });
    const partials = events
      .apply(beam.withName(`accumulate ${window.name}`, accumulate))
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
