import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse, JOB_RUNS_TABLE } from "../../io/local/duckdb-warehouse";
import { main } from "../../launcher/main";
import { runBatchJob } from "../../pipelines/batch-job";
import { clearContractCache, loadContract } from "../../schemas/load";
import { SYSTEM_TABLES } from "../../schemas/reserved-names";
import { SchemaError } from "../../schemas/schema-error";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { tempDir } from "../support/temp";
import { captureConsole } from "../support/console-capture";

// A schema cannot take over the tables the platform writes, and every rox.* attribute is checked with a clear
// SchemaError (exit 3) before a record is read: no TypeError, no prototype lookup, no name silently dropped.
const temp = tempDir("hostile-schemas");
afterAll(() => temp.cleanup());
afterEach(() => clearContractCache());
const FLIGHTS = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "schemas", "flights.avsc"), "utf8"));

let dirs = 0;
/** Writes schemas into a fresh folder; returns it. */
function folderWith(schemas: Record<string, object>): string {
  const dir = path.join(temp.dir, `schemas-${++dirs}`);
  fs.mkdirSync(dir);
  for (const [name, schema] of Object.entries(schemas))
    fs.writeFileSync(path.join(dir, `${name}.avsc`), JSON.stringify(schema));
  return dir;
}
const flightsWith = (changes: object) => ({ ...structuredClone(FLIGHTS), ...changes });
const load =
  (dir: string, name = "s") =>
  () =>
    loadContract(name, { dir });
const eventsFile = (lines: object[]) => {
  const file = path.join(temp.dir, `events-${++dirs}.jsonl`);
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
};

test("the reserved tables are the ones the warehouses write", () => {
  expect(SYSTEM_TABLES).toEqual(expect.arrayContaining([DEAD_LETTER_TABLE, JOB_RUNS_TABLE, "models", "monitoring"]));
});

test.each([
  ["dead_letters", /rox\.table "dead_letters" is a table the platform writes itself/],
  ["job_runs", /"job_runs" is a table the platform writes itself/],
  ["Job_Runs", /"Job_Runs" is a table the platform writes itself/],
  ["models", /platform writes itself/],
  ["monitoring", /platform writes itself/],
  ["flights_predictions", /ends with _predictions/],
  ["rox_stage", /starts with rox_/],
  ["_rox_stage_abc_flights", /starts with _rox_/],
  ["flights__run_20010101t000000_abc", /contains __run_/],
  ["__proto__", /not a usable name/],
])("rox.table %j is refused", (table, message) => {
  const dir = folderWith({ s: flightsWith({ "rox.table": table }) });
  expect(load(dir)).toThrow(SchemaError);
  expect(load(dir)).toThrow(message);
});

test("a schema named like a system table (no rox.table) is refused too", () => {
  const { "rox.table": _table, ...schema } = structuredClone(FLIGHTS);
  expect(load(folderWith({ dead_letters: schema }), "dead_letters")).toThrow(
    /the table \(the schema name\) "dead_letters" is a table the platform writes itself/,
  );
});

test("a window's table may not be a reserved name either (dead + letters = dead_letters)", () => {
  const schema = flightsWith({ "rox.table": "dead" });
  schema["rox.features"].windows[0].name = "letters";
  expect(load(folderWith({ s: schema }))).toThrow(
    /rox\.features\.windows\[0\]\.name: its table "dead_letters" is a table the platform writes itself/,
  );
  schema["rox.table"] = "flights";
  schema["rox.features"].windows[0].name = "predictions";
  expect(load(folderWith({ s: schema }))).toThrow(/"flights_predictions" ends with _predictions/);
});

test("two schemas of one folder cannot write one table, events or window", () => {
  const same = folderWith({ flights: FLIGHTS, copy: flightsWith({ "rox.table": "FLIGHTS" }) });
  expect(load(same, "copy")).toThrow(/table FLIGHTS is also written by schema flights/);
  expect(load(same, "flights")).toThrow(/table flights is also written by schema copy/);
  const intoWindow = folderWith({
    flights: FLIGHTS,
    hourly: flightsWith({ "rox.table": "flights_origin_hourly", "rox.features": undefined }),
  });
  expect(load(intoWindow, "hourly")).toThrow(/table flights_origin_hourly is also written by schema flights/);
  const broken = folderWith({ flights: FLIGHTS, broken: { type: "record", name: "x", fields: "nope" } });
  expect(loadContract("flights", { dir: broken }).table).toBe("flights");
});

test.each([
  [
    "a field",
    [{ name: "__proto__", type: ["null", "string"], default: null }],
    /__proto__: field name "__proto__" is not a usable name/,
  ],
  [
    "a nested field",
    [{ name: "route", type: { type: "record", name: "Route", fields: [{ name: "__proto__", type: "string" }] } }],
    /route\.__proto__: field name/,
  ],
  [
    "a metadata column",
    [{ name: "_run_id", type: ["null", "string"], default: null }],
    /_run_id: field name "_run_id" is a metadata column/,
  ],
  [
    "a BigQuery prefix",
    [{ name: "_PARTITIONTIME", type: ["null", "string"], default: null }],
    /starts with _partition, which BigQuery reserves/,
  ],
  [
    "a name repeated but for case",
    [{ name: "Origin", type: ["null", "string"], default: null }],
    /Origin: field name "Origin" repeats another field's name but for case/,
  ],
])("%s with a name that cannot be a column is refused", (_what, extra, message) => {
  const schema = structuredClone(FLIGHTS);
  schema.fields.push(...extra);
  expect(load(folderWith({ s: schema }))).toThrow(message);
});

test.each<[string, (s: typeof FLIGHTS) => void, RegExp]>([
  [
    "a feature column __proto__",
    (s) => (s["rox.features"].event[0].name = "__proto__"),
    /rox\.features\.event\[0\]\.name: "__proto__" is not a usable name/,
  ],
  [
    "a window named __proto__",
    (s) => (s["rox.features"].windows[0].name = "__proto__"),
    /rox\.features\.windows\[0\]\.name: "__proto__" is not a usable name/,
  ],
  [
    "a module named __proto__",
    (s) => (s["rox.features"].module = "__proto__"),
    /rox\.features\.module: bad value "__proto__"/,
  ],
  [
    "a module that is not a string",
    (s) => (s["rox.features"].module = { name: "flights" }),
    /rox\.features\.module: bad value/,
  ],
  [
    "two windows of one name",
    (s) => s["rox.features"].windows.push({ ...s["rox.features"].windows[0], name: "ORIGIN_HOURLY" }),
    /two windows are named ORIGIN_HOURLY/,
  ],
  [
    "a window of ten thousand years",
    (s) => (s["rox.features"].windows[0].size = "3650000d"),
    /windows\[0\]\.size: bad value "3650000d"/,
  ],
  ["a doc that is not text", (s) => (s["rox.features"].event[0].doc = 42), /event\[0\]\.doc: bad value 42/],
  [
    "a feature column repeating a field but for case",
    (s) => (s["rox.features"].event[0].name = "ORIGIN"),
    /column ORIGIN clashes with another column/,
  ],
  [
    "a misspelled record attribute",
    (s) => (s["rox.tabel"] = "flights"),
    /unknown attribute rox\.tabel \(did you mean rox\.table\?\)/,
  ],
  [
    "a misspelled field attribute",
    (s) => (s.fields[0]["rox.maxLenght"] = 3),
    /event_id: unknown attribute rox\.maxLenght \(did you mean rox\.maxLength\?\)/,
  ],
  [
    "a misspelled features key",
    (s) => (s["rox.features"].windwos = []),
    /unknown key windwos \(did you mean "windows"\?\)/,
  ],
  [
    "clustering by one field twice",
    (s) => (s["rox.clustering"] = ["origin", "origin"]),
    /rox\.clustering must be up to 4 different field names/,
  ],
  [
    "a type named constructor",
    (s) => s.fields.push({ name: "x", type: ["null", "constructor"], default: null }),
    /undefined type name: rox\.events\.constructor/,
  ],
])("%s is a SchemaError", (_what, change, message) => {
  const schema = structuredClone(FLIGHTS);
  change(schema);
  expect(load(folderWith({ s: schema }))).toThrow(SchemaError);
  expect(load(folderWith({ s: schema }))).toThrow(message);
});

describe("rox batch with a hostile schema exits 3 with one clear line, before reading a record", () => {
  const { errors } = captureConsole();

  test.each([
    ["rox.table dead_letters", flightsWith({ "rox.table": "dead_letters" }), /is a table the platform writes itself/],
    [
      "module constructor",
      flightsWith({ "rox.features": { ...FLIGHTS["rox.features"], module: "constructor" } }),
      /unknown feature module "constructor" \(known: flights\)/,
    ],
    [
      "module constructor, no windows",
      flightsWith({ "rox.features": { module: "constructor", event: [] } }),
      /unknown feature module "constructor"/,
    ],
    [
      "module hasownproperty",
      flightsWith({ "rox.features": { module: "hasownproperty", windows: [] } }),
      /unknown feature module "hasownproperty"/,
    ],
    [
      "a window the module lacks",
      flightsWith({
        "rox.features": {
          ...FLIGHTS["rox.features"],
          windows: [{ ...FLIGHTS["rox.features"].windows[0], name: "tostring" }],
        },
      }),
      /window "tostring": feature module "flights" has no aggregator by that name/,
    ],
  ])("%s", async (_what, schema, message) => {
    const dir = folderWith({ s: schema });
    const warehouse = path.join(temp.dir, `w-${dirs}.duckdb`);
    const input = eventsFile([
      { event_id: "a", date: "2001-01-01T00:00:00Z", delay: 1, distance: 2, origin: "LAX", destination: "SFO" },
    ]);
    expect(
      await main(["batch", "--input", input, "--schema", "s", "--schemas-dir", dir, "--warehouse", warehouse]),
    ).toBe(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).toContain(path.join(dir, "s.avsc"));
  });
});

test("fields named constructor, toString and hasOwnProperty hold data, and absent ones are null (not Object's)", async () => {
  const schema = {
    type: "record",
    name: "Odd",
    "rox.id": "id",
    "rox.eventTime": "ts",
    fields: [
      { name: "id", type: "string" },
      { name: "ts", type: { type: "long", logicalType: "timestamp-millis" } },
      { name: "constructor", type: ["null", "string"], default: null },
      { name: "toString", type: ["null", "long"], default: null },
      { name: "hasOwnProperty", type: ["null", "boolean"], default: null },
    ],
  };
  const dir = folderWith({ odd: schema });
  const input = eventsFile([
    { id: "a", ts: "2001-01-01T00:00:00Z", constructor: "built", toString: 7, hasOwnProperty: true },
    { id: "b", ts: "2001-01-01T00:00:01Z" },
  ]);
  const warehouse = await DuckDbWarehouse.open(path.join(temp.dir, "odd.duckdb"));
  try {
    const summary = await runBatchJob({ input, schema: "odd", schemasDir: dir, workDir: temp.dir }, warehouse);
    expect(summary).toMatchObject({ read: 2, written: 2, deadLettered: 0, duplicates: 0, byTable: { odd: 2 } });
    const rows = await warehouse.query(`SELECT id, "constructor", "toString", "hasOwnProperty" FROM odd ORDER BY id`);
    expect(
      rows.map((r) => [r.id, r.constructor, r.toString === null ? null : Number(r.toString), r.hasOwnProperty]),
    ).toEqual([
      ["a", "built", 7, true],
      ["b", null, null, null],
    ]);
  } finally {
    await warehouse.close();
  }
});
