/**
 * The streaming job's window aggregates: every event appends its one-event partial to `<window table>__partials`,
 * and the window table is a view that folds them (`windowFoldSql`), so a late event updates its window and a re-sent
 * id counts once. The accumulators are the local job's (integers, merged by sum/max/min), so the rows are equal.
 */
import * as beam from "../../transforms/beam/sdk";
import type { Contract, EventRecord, WindowFeatureSpec } from "../../schemas/contract";
import { bigQueryWindowTableSchema, type BigQueryField, type BigQueryTableSchema } from "../../schemas/bigquery";
import { windowAggregator } from "../../transforms/features";
import { partialOfEvent } from "../../transforms/beam/windows";
import { windowFoldSql } from "../../transforms/window-fold-sql";
import { windowTableName } from "../../transforms/window-rows";
import type { RunClockMs } from "../../transforms/beam/clock";
import type { GraphSink } from "./graph-sink-port";

export function windowPartialsTableName(contract: Contract, window: WindowFeatureSpec): string {
  return `${windowTableName(contract, window)}__partials`;
}

/** Key and bounds as the window table types them, the accumulator (INT64; a sum is never null), id and clock. */
export function windowPartialsSchema(contract: Contract, window: WindowFeatureSpec): BigQueryTableSchema {
  const table = bigQueryWindowTableSchema(contract, window);
  const slot = table.fields.filter((f) => [window.key, "window_start", "window_end"].includes(f.name));
  const accumulator = Object.entries(windowAggregator(contract, window.name).accumulator);
  const fields: BigQueryField[] = [
    ...slot,
    ...accumulator.map(([name, op]): BigQueryField => ({
      name,
      type: "INT64",
      mode: op === "sum" ? "REQUIRED" : "NULLABLE",
    })),
    { name: "_event_id", type: "STRING", mode: "REQUIRED", description: "The event the partial counts." },
    { name: "_updated_at", type: "TIMESTAMP", mode: "REQUIRED", description: "When the job appended the partial." },
  ];
  return { ...table, fields };
}

/** The window table as a view over its partials (`project.dataset` in GoogleSQL). */
export function windowViewSql(dataset: string, contract: Contract, window: WindowFeatureSpec): string {
  const ref = (table: string) => `\`${dataset}.${table}\``;
  const fold = windowFoldSql(contract, window, ref(windowPartialsTableName(contract, window)), (n) => `\`${n}\``);
  return `CREATE OR REPLACE VIEW ${ref(windowTableName(contract, window))} AS ${fold}`;
}

/** Each declared window: the first-of-id events → one-event partials → the sink's partials of that window. */
export async function writeWindowPartials(
  events: beam.PCollection<EventRecord>,
  contract: Contract,
  sink: GraphSink,
  ctx: { schema: string; schemasDir?: string; nowMs: RunClockMs },
): Promise<void> {
  const write = sink.windowPartials;
  if (!write) return;
  for (const window of contract.features?.windows ?? []) {
    const context = { schema: ctx.schema, schemasDir: ctx.schemasDir, nowMs: ctx.nowMs, window: window.name };
    const partials = events.map(beam.withName(`partials ${window.name}`, partialOfEvent), context);
    await write(window, partials as beam.PCollection<Record<string, unknown>>);
  }
}
