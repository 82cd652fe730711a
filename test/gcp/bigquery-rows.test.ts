import { isDeepStrictEqual } from "util";
import type { BigQueryField } from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";
import { isLoadRow, plainValue, stagingFields, toFreshEvent, toLoadRow } from "../../io/gcp/bigquery/bigquery-rows";
import { str } from "../../io/gcp/bigquery/bigquery-sql";

const f = (name: string, type: string, extra: Partial<BigQueryField> = {}): BigQueryField => ({
  name,
  type,
  mode: "NULLABLE",
  ...extra,
});

describe("toLoadRow: staged rows as a BigQuery JSON load takes them", () => {
  const fields = [
    f("at", "TIMESTAMP"),
    f("day", "DATE"),
    f("raw", "BYTES"),
    f("n", "INT64"),
    f("device", "RECORD", { fields: [f("seen", "TIMESTAMP")] }),
    f("times", "TIMESTAMP", { mode: "REPEATED" }),
  ];
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["epoch ms → ISO instant", { at: 978310800000 }, { at: "2001-01-01T01:00:00.000Z" }],
    ["ISO instant kept", { at: "2001-01-01T01:00:00.000Z" }, { at: "2001-01-01T01:00:00.000Z" }],
    ["epoch days → ISO date", { day: 11323 }, { day: "2001-01-01" }],
    ["bytes → base64", { raw: Buffer.from([0xff, 0x00]) }, { raw: "/wA=" }],
    ["staged base64 text kept", { raw: "/wA=" }, { raw: "/wA=" }],
    ["null kept", { at: null, raw: null }, { at: null, raw: null }],
    ["unknown columns dropped", { n: 1, extra: "x" }, { n: 1 }],
    ["nested record", { device: { seen: 0 } }, { device: { seen: "1970-01-01T00:00:00.000Z" } }],
    [
      "repeated field",
      { times: [0, "2001-01-01T00:00:00Z"] },
      { times: ["1970-01-01T00:00:00.000Z", "2001-01-01T00:00:00Z"] },
    ],
  ];
  it.each(cases)("%s", (_, row, expected) => expect(toLoadRow(fields, row)).toEqual(expected));

  // isLoadRow says a staged row's own text can be loaded: exactly when toLoadRow would load the same values.
  const asIs: [string, Record<string, unknown>, boolean][] = [
    ["epoch ms", { at: 978310800000 }, false],
    ["ISO instant", { at: "2001-01-01T01:00:00.000Z" }, true],
    ["epoch days", { day: 11323 }, false],
    ["bytes", { raw: Buffer.from([0xff, 0x00]) }, false],
    ["staged base64 text", { raw: "/wA=" }, true],
    ["nulls", { at: null, raw: null }, true],
    ["an unknown column", { n: 1, extra: "x" }, false],
    ["every type already converted", { at: "x", day: "2001-01-01", raw: "/wA=", n: 1, times: ["y", null] }, true],
    ["a nested record already converted", { device: { seen: "2001-01-01T00:00:00Z" } }, true],
    ["an epoch in a nested record", { device: { seen: 0 } }, false],
    ["an unknown column inside a record", { device: { seen: null, extra: 1 } }, false],
    ["an epoch inside a repeated field", { times: ["x", 0] }, false],
  ];
  it.each(asIs)("isLoadRow: %s → %s, exactly when toLoadRow leaves it as it is", (_, row, asItIs) => {
    expect(isLoadRow(fields, row)).toBe(asItIs);
    expect(isDeepStrictEqual(toLoadRow(fields, row), row)).toBe(asItIs);
  });

  it("stages top-level BYTES as STRING (decoded by FROM_BASE64 when copied)", () => {
    expect(stagingFields(fields).map((x) => x.type)).toEqual([
      "TIMESTAMP",
      "DATE",
      "STRING",
      "INT64",
      "RECORD",
      "TIMESTAMP",
    ]);
  });
});

describe("plainValue: query results as plain JSON", () => {
  class BigQueryTimestamp {
    constructor(readonly value: string) {}
  }
  class Big {
    constructor(private readonly text: string) {}
    toString() {
      return this.text;
    }
  }
  const cases: [string, unknown, unknown][] = [
    ["timestamp wrapper → its text", new BigQueryTimestamp("2001-01-01T00:00:00.000Z"), "2001-01-01T00:00:00.000Z"],
    ["NUMERIC → text", new Big("12.34"), "12.34"],
    ["bytes → base64", Buffer.from([0xff]), "/w=="],
    ["nested", { a: [new BigQueryTimestamp("x")], b: null }, { a: ["x"], b: null }],
    ["scalars kept", 3, 3],
  ];
  it.each(cases)("%s", (_, value, expected) => expect(plainValue(value)).toEqual(expected));
});

describe("toFreshEvent: the window pass's shape", () => {
  it("turns the contract's timestamps into epoch ms and keeps the rest", () => {
    const contract = loadContract("flights");
    const row = {
      event_id: "e1",
      date: "2001-01-01T01:00:00.000Z",
      delay: 5,
      _ingested_at: "2001-02-01T00:00:00.000Z",
    };
    expect(toFreshEvent(contract, row)).toEqual({ ...row, date: 978310800000 });
  });
});

describe("str: GoogleSQL string literals", () => {
  const cases: [string, string][] = [
    ["plain", "'plain'"],
    ["it's", "'it\\'s'"],
    ["back\\slash", "'back\\\\slash'"],
    ["two\nlines\r", "'two\\nlines\\r'"],
  ];
  it.each(cases)("%j", (value, literal) => expect(str(value)).toBe(literal));
});
