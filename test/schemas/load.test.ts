import * as path from "node:path";
import { clearContractCache, listContracts, loadContract, schemasDir } from "../../schemas/load";
import { SchemaError } from "../../schemas/schema-error";
import { FIXTURE_SCHEMAS } from "./golden";

const REPO_SCHEMAS = path.resolve(__dirname, "..", "..", "schemas");

describe("loadContract(flights)", () => {
  const flights = loadContract("flights");

  test("reads the record-level attributes", () => {
    expect(flights).toMatchObject({
      name: "flights",
      avroName: "rox.events.Flight",
      version: 1,
      table: "flights",
      idField: "event_id",
      eventTimeField: "date",
      clustering: ["origin"],
    });
    expect(flights.sourcePath).toBe(path.join(REPO_SCHEMAS, "flights.avsc"));
  });

  test("reads the fields with kinds and constraints", () => {
    const byName = Object.fromEntries(flights.fields.map((f) => [f.name, f]));
    expect(flights.fields.map((f) => [f.name, f.kind, f.nullable])).toEqual([
      ["event_id", "string", false],
      ["date", "timestamp", false],
      ["delay", "int", false],
      ["distance", "int", false],
      ["origin", "string", false],
      ["destination", "string", false],
    ]);
    expect(byName.event_id.constraints).toEqual({ minLength: 1, maxLength: 128 });
    expect(byName.date).toMatchObject({
      timestampUnit: "millis",
      constraints: { min: "1990-01-01T00:00:00Z", max: "now+1d" },
    });
    expect(byName.destination.constraints).toEqual({ pattern: "^[A-Z]{3}$", notEqual: "origin" });
  });

  test("reads the features", () => {
    expect(flights.features?.module).toBe("flights");
    expect(flights.features?.event.map((c) => [c.name, c.kind])).toEqual([
      ["hour_of_day", "int"],
      ["day_of_week", "int"],
      ["route", "string"],
      ["is_delayed", "boolean"],
    ]);
    const [window] = flights.features?.windows ?? [];
    expect(window).toMatchObject({ name: "origin_hourly", key: "origin", sizeSeconds: 3600 });
    expect(window.columns.map((c) => c.kind)).toEqual(["long", "double", "int", "double"]);
    expect([...flights.features!.event, ...window.columns].every((c) => c.doc)).toBe(true);
  });

  test("caches by path", () => {
    expect(loadContract("flights")).toBe(flights);
    expect(loadContract("flights", { dir: REPO_SCHEMAS })).toBe(flights);
  });
});

describe("schema folder", () => {
  afterEach(() => {
    delete process.env.ROX_SCHEMAS_DIR;
    clearContractCache();
  });

  test("defaults to the repository's schemas/ folder", () => {
    expect(schemasDir()).toBe(REPO_SCHEMAS);
    expect(listContracts()).toContain("flights");
  });

  test("honours ROX_SCHEMAS_DIR", () => {
    process.env.ROX_SCHEMAS_DIR = FIXTURE_SCHEMAS;
    expect(schemasDir()).toBe(FIXTURE_SCHEMAS);
    expect(loadContract("clicks").sourcePath).toBe(path.join(FIXTURE_SCHEMAS, "clicks.avsc"));
  });

  test("lists the schemas of a folder", () => {
    expect(listContracts(FIXTURE_SCHEMAS)).toContain("clicks");
  });
});

describe("a second event type needs no code change", () => {
  const clicks = loadContract("clicks", { dir: FIXTURE_SCHEMAS });

  test("nested records, arrays, enums, logical types and named-type reuse", () => {
    const byName = Object.fromEntries(clicks.fields.map((f) => [f.name, f]));
    expect(byName.device.fields?.map((f) => f.path)).toEqual(["device.os", "device.screen_width"]);
    expect(byName.experiments.items?.fields?.map((f) => f.path)).toEqual([
      "experiments[].code",
      "experiments[].variant",
    ]);
    expect(byName.experiments.items?.fields?.[1].constraints.oneOf).toEqual(["control", "treatment"]);
    expect(byName.tags.items?.constraints).toEqual({ maxLength: 16 });
    expect(byName.price).toMatchObject({ kind: "decimal", nullable: true, decimal: { precision: 10, scale: 2 } });
    expect(byName.day.kind).toBe("date");
    expect(byName.received_at).toMatchObject({ kind: "timestamp", timestampUnit: "micros" });
    expect(byName.referrer).toMatchObject({ kind: "record", nullable: true });
    expect(byName.referrer.fields?.map((f) => f.path)).toEqual(["referrer.os", "referrer.screen_width"]);
    expect(clicks.features).toBeUndefined();
  });
});

describe("SchemaError", () => {
  test.each([
    ["missing", "not_found", /cannot read schema file/],
    ["broken-json", "bad_json", /not valid JSON/],
    ["broken-avro", "invalid_avro", /undefined type name: strin/],
    ["broken-id", "invalid_attribute", /rox\.id "event_id" is not a field of the record/],
    ["broken-event-time", "invalid_attribute", /rox\.eventTime field ts must be a non-null timestamp/],
    ["broken-not-equal", "invalid_attribute", /destination: rox\.notEqual names "origin"/],
    ["broken-pattern", "invalid_attribute", /id: bad value for rox\.pattern/],
    ["broken-unknown-attribute", "invalid_attribute", /id: unknown attribute rox\.patern/],
    ["broken-constraint-kind", "invalid_attribute", /count: rox\.pattern applies to strings, not int/],
    [
      "broken-window-key",
      "invalid_attribute",
      /rox\.features\.windows\[0\]\.key: "nope" is not a top-level scalar field/,
    ],
    ["broken-bound", "invalid_attribute", /ts: rox\.min "1990-01-01T00:00:00" does not fit a timestamp/],
  ])("%s → %s", (name, reason, message) => {
    const load = () => loadContract(name, { dir: FIXTURE_SCHEMAS });
    expect(load).toThrow(SchemaError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (error) {
      expect((error as SchemaError).reason).toBe(reason);
      expect((error as SchemaError).message).toContain(path.join(FIXTURE_SCHEMAS, `${name}.avsc`));
    }
  });

  test("carries the underlying error as its cause", () => {
    try {
      loadContract("broken-json", { dir: FIXTURE_SCHEMAS });
    } catch (error) {
      expect((error as SchemaError).cause).toBeInstanceOf(SyntaxError);
    }
    expect.assertions(1);
  });

  test("refuses names that are not file stems", () => {
    expect(() => loadContract("../flights")).toThrow(SchemaError);
  });
});
