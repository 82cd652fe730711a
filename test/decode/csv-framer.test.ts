import { CsvFramer } from "../../transforms/decode/csv-framer";
import { RecordAssembler } from "../../transforms/decode/record-assembler";
import { lineFramer, type RecordFramer } from "../../transforms/decode/record-framer";

/** Frames `text` fed in chunks of `chunkSize` bytes; returns each record's text and first line. */
function frame(text: string, framer: () => RecordFramer, chunkSize: number) {
  const bytes = Buffer.from(text);
  const assembler = new RecordAssembler(framer(), { offset: 0, line: 1 });
  const records = [];
  for (let at = 0; at < bytes.length; at += chunkSize)
    records.push(...assembler.push(bytes.subarray(at, at + chunkSize)));
  records.push(...assembler.finish());
  return records.map((r) => ({ text: Buffer.from(r.bytes).toString(), line: r.line, offset: r.offset }));
}

const csvCases: [string, string, { text: string; line: number }[]][] = [
  [
    "simple",
    "a,b\nc,d\n",
    [
      { text: "a,b", line: 1 },
      { text: "c,d", line: 2 },
    ],
  ],
  [
    "no final newline",
    "a\nb",
    [
      { text: "a", line: 1 },
      { text: "b", line: 2 },
    ],
  ],
  [
    "CRLF",
    "a,b\r\nc\r\n",
    [
      { text: "a,b", line: 1 },
      { text: "c", line: 2 },
    ],
  ],
  [
    "newline in quotes",
    'x,"1\n2\n3"\ny\n',
    [
      { text: 'x,"1\n2\n3"', line: 1 },
      { text: "y", line: 4 },
    ],
  ],
  [
    "escaped quotes around newline",
    '"a""\n""b"\nz\n',
    [
      { text: '"a""\n""b"', line: 1 },
      { text: "z", line: 3 },
    ],
  ],
  [
    "quote mid-field is data",
    'a"b\nc"d\n',
    [
      { text: 'a"b', line: 1 },
      { text: 'c"d', line: 2 },
    ],
  ],
  [
    "garbage after closing quote",
    '"a"x"\ny\n',
    [
      { text: '"a"x"', line: 1 },
      { text: "y", line: 2 },
    ],
  ],
  [
    "empty quoted then newline",
    '"",""\n1\n',
    [
      { text: '"",""', line: 1 },
      { text: "1", line: 2 },
    ],
  ],
  [
    "unterminated runs to EOF",
    'a\n"b\nc\n',
    [
      { text: "a", line: 1 },
      { text: '"b\nc\n', line: 2 },
    ],
  ],
  [
    "blank lines are records too",
    "a\n\n b\n",
    [
      { text: "a", line: 1 },
      { text: "", line: 2 },
      { text: " b", line: 3 },
    ],
  ],
];

describe("CsvFramer", () => {
  test.each(csvCases)("%s, at every chunk size", (_name, text, expected) => {
    for (let chunkSize = 1; chunkSize <= text.length; chunkSize++) {
      expect(frame(text, () => new CsvFramer(), chunkSize).map(({ text, line }) => ({ text, line }))).toEqual(expected);
    }
  });

  test("offsets are byte offsets", () => {
    expect(frame('é,"x\ny"\nz', () => new CsvFramer(), 3).map((r) => r.offset)).toEqual([0, 9]);
  });
});

describe("lineFramer", () => {
  test.each([
    [
      "lines",
      "{}\n[]\n",
      [
        { text: "{}", line: 1 },
        { text: "[]", line: 2 },
      ],
    ],
    [
      "quotes do not matter",
      '"a\n"b\n',
      [
        { text: '"a', line: 1 },
        { text: '"b', line: 2 },
      ],
    ],
    [
      "CRLF and no final newline",
      "a\r\nb",
      [
        { text: "a", line: 1 },
        { text: "b", line: 2 },
      ],
    ],
  ])("%s, at every chunk size", (_name, text, expected) => {
    for (let chunkSize = 1; chunkSize <= text.length; chunkSize++) {
      expect(frame(text, () => lineFramer, chunkSize).map(({ text, line }) => ({ text, line }))).toEqual(expected);
    }
  });
});

describe("a record spanning lines stays within maxRecordBytes (CSV with quoted newlines)", () => {
  /** Frames `text` with a quoted-newline CSV framer and a small limit, at every chunk size. */
  function frameLimited(text: string, maxRecordBytes: number) {
    const results = [];
    for (let chunkSize = 1; chunkSize <= text.length; chunkSize++) {
      const bytes = Buffer.from(text);
      const assembler = new RecordAssembler(new CsvFramer(), { offset: 0, line: 1, maxRecordBytes });
      const records = [];
      for (let at = 0; at < bytes.length; at += chunkSize)
        records.push(...assembler.push(bytes.subarray(at, at + chunkSize)));
      records.push(...assembler.finish());
      results.push(
        records.map((r) => ({ text: Buffer.from(r.bytes).toString(), line: r.line, offset: r.offset, size: r.size })),
      );
    }
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    return results[0];
  }

  test("a stray quote costs its own line only: framing restarts on the next line", () => {
    const records = frameLimited('a,b\n1,"x\n2,y\n3,z\n', 8);
    expect(records).toEqual([
      { text: "a,b", line: 1, offset: 0, size: 4 },
      { text: '1,"x', line: 2, offset: 4, size: 5 },
      { text: "2,y", line: 3, offset: 9, size: 4 },
      { text: "3,z", line: 4, offset: 13, size: 4 },
    ]);
  });

  test("a quoted newline within the limit keeps its record whole; CRLF does not count", () => {
    expect(frameLimited('1,"x\ny"\r\n2\n', 7).map((r) => r.text)).toEqual(['1,"x\ny"', "2"]);
    expect(frameLimited('1,"x\nyz"\n2\n', 7).map((r) => r.text)).toEqual(['1,"x', 'yz"', "2"]);
  });

  test("a stray quote on every line: each line is its own record", () => {
    expect(frameLimited('"a\n"b\n"c\nd\n', 4).map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  test("a first line already over the limit is one oversized record, and the next lines are read", () => {
    const records = frameLimited(`"${"x".repeat(20)}\n1\n2\n`, 8);
    expect(records.map((r) => [r.line, r.size])).toEqual([
      [1, 22],
      [2, 2],
      [3, 2],
    ]);
  });
});
