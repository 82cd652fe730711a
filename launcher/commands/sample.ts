import { oneOf, optionalNumber, parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import { FILE_FORMATS } from "../../io/files/file-format";

export const sampleUsage = `rox sample flights --out <dir> [--format jsonl|csv|avro|parquet] [--by day|month]
          [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--source <flights.parquet>]`;

/** `rox sample flights`: writes real flights from vega-datasets as event files. */
export async function sampleCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      out: { type: "string" },
      format: { type: "string" },
      by: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      limit: { type: "string" },
      source: { type: "string" },
    },
    true,
  );
  if (positionals[0] !== "flights" || positionals.length !== 1) throw new UsageError(`usage: ${sampleUsage}`);
  const { writeFlightSample } = await import("../../tools/sample/flights");
  const result = await writeFlightSample({
    outDir: requireFlag(values.out, "out"),
    format: oneOf(values.format, "format", FILE_FORMATS) ?? "jsonl",
    by: oneOf(values.by, "by", ["day", "month"] as const) ?? "day",
    from: values.from,
    to: values.to,
    limit: optionalNumber(values.limit, "limit"),
    source: values.source,
  });
  console.log(`wrote ${result.rows.toLocaleString("en-US")} flights to ${result.files.length} files in ${values.out}`);
}
