import { bigQueryTableSchema, bigQueryWindowTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";
import { expectJsonGolden, FIXTURE_SCHEMAS } from "./golden";

const flights = loadContract("flights");
const clicks = loadContract("clicks", { dir: FIXTURE_SCHEMAS });

describe("BigQuery table schemas (golden)", () => {
  test("flights events table", () => {
    expectJsonGolden("flights.events.bigquery.json", bigQueryTableSchema(flights));
  });

  test("flights origin_hourly window table", () => {
    const [window] = flights.features!.windows;
    expectJsonGolden("flights.origin_hourly.bigquery.json", bigQueryWindowTableSchema(flights, window));
  });

  test("dead-letter table", () => {
    expectJsonGolden("dead_letters.bigquery.json", deadLetterTableSchema());
  });

  test("clicks: nested RECORD, REPEATED, NUMERIC, DATE, micros TIMESTAMP", () => {
    expectJsonGolden("clicks.events.bigquery.json", bigQueryTableSchema(clicks));
  });
});

describe("BigQuery mapping", () => {
  const schema = bigQueryTableSchema(flights);
  const byName = Object.fromEntries(schema.fields.map((f) => [f.name, f]));

  test("partitioned by the event time, clustered as declared", () => {
    expect(schema.timePartitioning).toEqual({ type: "DAY", field: "date" });
    expect(schema.clustering).toEqual({ fields: ["origin"] });
  });

  test("event fields, then features, then metadata", () => {
    expect(schema.fields.map((f) => f.name)).toEqual([
      ...["event_id", "date", "delay", "distance", "origin", "destination"],
      ...["hour_of_day", "day_of_week", "route", "is_delayed"],
      ...["_source", "_run_id", "_ingested_at"],
    ]);
    expect(byName.date).toMatchObject({ type: "TIMESTAMP", mode: "REQUIRED" });
    expect(byName.is_delayed).toMatchObject({ type: "BOOL", mode: "NULLABLE" });
    expect(byName._ingested_at).toMatchObject({ type: "TIMESTAMP", mode: "REQUIRED" });
  });

  test("wide decimals are BIGNUMERIC", () => {
    const wide = {
      ...clicks,
      fields: [{ ...clicks.fields.find((f) => f.name === "price")!, decimal: { precision: 40, scale: 10 } }],
    };
    expect(bigQueryTableSchema(wide).fields[0]).toMatchObject({ type: "BIGNUMERIC", precision: "40", scale: "10" });
  });
});
