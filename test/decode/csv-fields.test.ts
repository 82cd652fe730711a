import { splitCsvFields } from "../../transforms/decode/csv-fields";
import { decodeCsvRecord, parseCsvHeader } from "../../transforms/decode/csv-record";

describe("splitCsvFields", () => {
  test.each([
    ["plain", "a,b,c", ["a", "b", "c"]],
    ["empty record is one empty field", "", [""]],
    ["empty fields", ",,", ["", "", ""]],
    ["trailing comma", "a,", ["a", ""]],
    ["quoted comma", '"a,b",c', ["a,b", "c"]],
    ["escaped quotes", '"say ""hi""",x', ['say "hi"', "x"]],
    ["empty quoted", '"",x', ["", "x"]],
    ["only escaped quote", '""""', ['"']],
    ["newline inside quotes", '"line1\nline2",z', ["line1\nline2", "z"]],
    ["CRLF inside quotes kept", '"a\r\nb"', ["a\r\nb"]],
    ["spaces kept", " a , b ", [" a ", " b "]],
    ["unicode", "é,日本", ["é", "日本"]],
  ])("%s", (_name, record, fields) => {
    expect(splitCsvFields(record)).toEqual({ ok: true, fields });
  });

  test.each([
    ["stray quote in unquoted field", 'ab"c,d', /field 1: quote inside an unquoted field/],
    ["stray quote later", 'a,b"', /field 2: quote inside an unquoted field/],
    ["unterminated quoted field", '"abc,d', /field 1: quoted field is not terminated/],
    ["text after closing quote", '"ab"c,d', /field 1: text after a closing quote/],
    ["space after closing quote", '"ab" ,d', /text after a closing quote/],
  ])("%s is bad quoting", (_name, record, reason) => {
    const split = splitCsvFields(record);
    expect(split.ok).toBe(false);
    if (!split.ok) expect(split.reason).toMatch(reason);
  });
});

describe("decodeCsvRecord", () => {
  const envelope = { payload: "", source: { uri: "file:///x.csv", line: 7, offset: 99 }, attempt: 1 };
  const header = ["id", "delay", "note"];

  test("maps fields by header and marks them textual", () => {
    const result = decodeCsvRecord({ text: '1,33,"a, b"', envelope }, header);
    expect(result).toEqual({
      ok: true,
      value: { fields: { id: "1", delay: "33", note: "a, b" }, envelope, textual: true },
    });
  });

  test.each([
    ["too few", "1,2", "csv_column_count", /line 7 has 2 fields, the header has 3/],
    ["too many", "1,2,3,4", "csv_column_count", /4 fields/],
    ["bad quoting", '1,2,"x', "csv_bad_quoting", /line 7, field 3: quoted field is not terminated/],
  ])("%s becomes a dead letter", (_name, text, errorClass, message) => {
    const result = decodeCsvRecord({ text, envelope }, header);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.dead).toMatchObject({ stage: "decode", errorClass, envelope });
      expect(result.dead.errorMessage).toMatch(message);
    }
  });

  test("parseCsvHeader", () => {
    expect(parseCsvHeader('id,"de,lay"')).toEqual({ ok: true, names: ["id", "de,lay"] });
    expect(parseCsvHeader('id,de"lay')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CSV header: field 2/),
    });
  });
});
