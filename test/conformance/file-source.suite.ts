import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Readable } from "stream";
import { FileNotFoundError } from "../../io/errors";
import { InvalidIdentifierError } from "../../io/identifiers/project";
import type { FileSource, SkippedInput } from "../../io/ports";
import { stageInput } from "../../io/stage-input";
import { tempDir } from "../support/temp";

/** A fresh, empty place holding fixtures: a temp folder, or a new bucket. */
export interface FileSourceFixture {
  source: FileSource;
  /** Where fixtures live; a pattern is `${root}/${relative}` (a folder path, or `gs://bucket`). */
  root: string;
  put(name: string, bytes: Uint8Array | string): Promise<void>;
}

export type FileSourceCase =
  | "lists by prefix"
  | "filters by glob"
  | "skips hidden and underscore names"
  | "reports what it skips"
  | "names with spaces and é"
  | "more objects than one page"
  | "streams a multi-MiB object byte-identical"
  | "reads a byte range"
  | "a missing object is FileNotFoundError"
  | "stages to a folder and keeps the URIs"
  | "staging refuses odd Unicode names"
  | "staging refuses names that escape the folder";

/**
 * Every case runs against a fresh fixture; `skip` names the cases a target cannot run, each with its reason (a string
 * skips them all, e.g. when the emulator is not installed).
 */
export function fileSourceSuite(
  label: string,
  fixture: () => Promise<FileSourceFixture>,
  skip: Partial<Record<FileSourceCase, string>> | string = {},
): void {
  const names = (list: { name: string }[]) => list.map((o) => o.name);
  const pattern = (f: FileSourceFixture, relative: string) => `${f.root}/${relative}`;

  describe(`FileSource conformance: ${label}`, () => {
    const cases: Record<FileSourceCase, () => Promise<void>> = {
      "lists by prefix": async () => {
        const f = await fixture();
        for (const name of ["a/1.jsonl", "a/2.jsonl", "ab/3.jsonl", "b/c/4.jsonl"]) await f.put(name, name);
        const inA = await f.source.list(pattern(f, "a"));
        expect(names(inA)).toStrictEqual(["1.jsonl", "2.jsonl"]);
        expect(inA.map((o) => [o.uri, o.size])).toStrictEqual([
          [pattern(f, "a/1.jsonl"), 9],
          [pattern(f, "a/2.jsonl"), 9],
        ]);
        expect(names(await f.source.list(pattern(f, "a/")))).toStrictEqual(["1.jsonl", "2.jsonl"]);
        expect(names(await f.source.list(f.root))).toStrictEqual([
          "a/1.jsonl",
          "a/2.jsonl",
          "ab/3.jsonl",
          "b/c/4.jsonl",
        ]);
        expect(await f.source.list(pattern(f, "b/c/4.jsonl"))).toStrictEqual([
          expect.objectContaining({ uri: pattern(f, "b/c/4.jsonl"), name: "4.jsonl", size: 11 }),
        ]);
        expect(await f.source.list(pattern(f, "nothing-here"))).toStrictEqual([]);
      },
      "filters by glob": async () => {
        const f = await fixture();
        for (const name of [
          "d/2001-01-01.jsonl",
          "d/2001-01-02.jsonl",
          "d/2001-01-10.jsonl",
          "d/notes.txt",
          "d/x/2001-02-01.jsonl",
          "d/x/y.csv",
        ])
          await f.put(name, "x");
        const table: [string, string[]][] = [
          ["d/*.jsonl", ["2001-01-01.jsonl", "2001-01-02.jsonl", "2001-01-10.jsonl"]],
          ["d/2001-01-0?.jsonl", ["2001-01-01.jsonl", "2001-01-02.jsonl"]],
          ["d/**/*.jsonl", ["2001-01-01.jsonl", "2001-01-02.jsonl", "2001-01-10.jsonl", "x/2001-02-01.jsonl"]],
          ["d/**/*.{txt,csv}", ["notes.txt", "x/y.csv"]],
          ["d/*/y.csv", ["x/y.csv"]],
          ["*/x/*", ["d/x/2001-02-01.jsonl", "d/x/y.csv"]],
          ["d/*.parquet", []],
        ];
        for (const [glob, expected] of table)
          expect([glob, names(await f.source.list(pattern(f, glob)))]).toStrictEqual([glob, expected]);
      },
      "skips hidden and underscore names": async () => {
        const f = await fixture();
        for (const name of [
          "d/a.jsonl",
          "d/.hidden.jsonl",
          "d/_SUCCESS",
          "d/_temporary/b.jsonl",
          "d/.cache/c.jsonl",
          "d/e/f.jsonl",
        ])
          await f.put(name, "x");
        expect(names(await f.source.list(pattern(f, "d")))).toStrictEqual(["a.jsonl", "e/f.jsonl"]);
        expect(names(await f.source.list(pattern(f, "d/**")))).toStrictEqual(["a.jsonl", "e/f.jsonl"]);
        expect(names(await f.source.list(pattern(f, "d/_SUCCESS")))).toStrictEqual(["_SUCCESS"]); // named exactly, it is listed
      },
      "reports what it skips": async () => {
        const f = await fixture();
        for (const name of [
          "d/a.jsonl",
          "d/.hidden.jsonl",
          "d/_SUCCESS",
          "d/_temporary/b.jsonl",
          "d/.cache/c.jsonl",
          "d/e/f.jsonl",
        ])
          await f.put(name, "x");
        const table: [string, string[]][] = [
          ["d/*.jsonl", ["d/.hidden.jsonl"]],
          ["d/**/*.jsonl", ["d/.cache/c.jsonl", "d/.hidden.jsonl", "d/_temporary/b.jsonl"]],
          ["d", ["d/.cache/c.jsonl", "d/.hidden.jsonl", "d/_SUCCESS", "d/_temporary/b.jsonl"]],
          ["d/e/*.jsonl", []],
        ];
        for (const [glob, expected] of table) {
          const reported: SkippedInput[] = [];
          await f.source.list(pattern(f, glob), { onSkip: (skipped) => reported.push(skipped) });
          expect([glob, reported.map((r) => r.uri).sort()]).toStrictEqual([
            glob,
            expected.map((name) => pattern(f, name)),
          ]);
          for (const { reason } of reported) expect(reason).toMatch(/hidden|marker/);
        }
      },
      "names with spaces and é": async () => {
        const f = await fixture();
        const name = "été 2001/jour 1 é.jsonl";
        await f.put(name, '{"é": 1}\n');
        const [listed] = await f.source.list(pattern(f, "été 2001/*.jsonl"));
        expect(listed).toMatchObject({
          uri: pattern(f, name),
          name: "jour 1 é.jsonl",
          size: Buffer.byteLength('{"é": 1}\n'),
        });
        expect(await f.source.stat(listed.uri)).toMatchObject({ uri: listed.uri, size: listed.size });
        expect((await readAll(await f.source.read(listed.uri))).toString("utf8")).toBe('{"é": 1}\n');
      },
      "more objects than one page": async () => {
        const f = await fixture();
        const all = Array.from({ length: 25 }, (_, i) => `many/part-${String(i).padStart(3, "0")}.jsonl`);
        for (const name of [...all].reverse()) await f.put(name, name);
        const listed = await f.source.list(pattern(f, "many/*.jsonl"));
        expect(listed.map((o) => o.uri)).toStrictEqual(all.map((name) => pattern(f, name)));
      },
      "streams a multi-MiB object byte-identical": async () => {
        const f = await fixture();
        const bytes = randomBytes(5 * 1024 * 1024 + 123);
        await f.put("big/blob.bin", bytes);
        const [listed] = await f.source.list(pattern(f, "big"));
        expect(listed.size).toBe(bytes.length);
        const read = await readAll(await f.source.read(listed.uri, { generation: listed.generation }));
        expect(read.length).toBe(bytes.length);
        expect(sha256(read)).toBe(sha256(bytes));
      },
      "reads a byte range": async () => {
        const f = await fixture();
        const bytes = randomBytes(100_000);
        await f.put("r/blob.bin", bytes);
        const uri = pattern(f, "r/blob.bin");
        const table: [{ start: number; end?: number }, Buffer][] = [
          [{ start: 0, end: 10 }, bytes.subarray(0, 10)],
          [{ start: 99_990 }, bytes.subarray(99_990)],
          [{ start: 1234, end: 98_765 }, bytes.subarray(1234, 98_765)],
          [{ start: 99_000, end: 200_000 }, bytes.subarray(99_000)],
          [{ start: 500, end: 500 }, Buffer.alloc(0)],
          [{ start: 200_000 }, Buffer.alloc(0)],
        ];
        for (const [range, expected] of table)
          expect([range, sha256(await readAll(await f.source.read(uri, { range })))]).toStrictEqual([
            range,
            sha256(expected),
          ]);
      },
      "a missing object is FileNotFoundError": async () => {
        const f = await fixture();
        await f.put("here/a.jsonl", "x");
        const missing = pattern(f, "here/missing.jsonl");
        await expect(f.source.stat(missing)).rejects.toThrow(FileNotFoundError);
        await expect(f.source.read(missing)).rejects.toMatchObject({ name: "FileNotFoundError", uri: missing });
        await expect(f.source.stat(pattern(f, "here"))).rejects.toThrow(FileNotFoundError); // a folder or prefix is no object
      },
      "stages to a folder and keeps the URIs": async () => {
        const f = await fixture();
        const files: Record<string, Buffer> = {
          "s/2001-01-01.jsonl": Buffer.from("a\n"),
          "s/x/é 2.jsonl": Buffer.from("bb\n"),
          "s/big.bin": randomBytes(3 << 20),
        };
        for (const [name, bytes] of Object.entries(files)) await f.put(name, bytes);
        const work = tempDir("stage");
        try {
          const staged = await stageInput(f.source, pattern(f, "s/**"), path.join(work.dir, "in"));
          expect(staged.files.map((s) => [path.relative(staged.dir, s.localPath), s.uri, s.size])).toStrictEqual([
            ["2001-01-01.jsonl", pattern(f, "s/2001-01-01.jsonl"), 2],
            ["big.bin", pattern(f, "s/big.bin"), 3 << 20],
            ["x/é 2.jsonl", pattern(f, "s/x/é 2.jsonl"), 3],
          ]);
          for (const s of staged.files)
            expect(sha256(fs.readFileSync(s.localPath))).toBe(
              sha256(files[`s/${path.relative(staged.dir, s.localPath)}`]),
            );
          expect(walk(staged.dir)).toStrictEqual(["2001-01-01.jsonl", "big.bin", "x/é 2.jsonl"]); // no part file left
          await expect(stageInput(f.source, pattern(f, "s/**"), staged.dir)).rejects.toThrow(/not empty/);
        } finally {
          work.cleanup();
        }
      },
      "staging refuses odd Unicode names": async () => {
        const f = await fixture();
        await f.put("bidi/ok.jsonl", "x");
        await f.put("bidi/invoice\u202Elsonj.exe", "x");
        await f.put("nfd/ok.jsonl", "x");
        await f.put("nfd/cafe\u0301.jsonl", "x");
        await expectRefusedStaging(f, "bidi", /bidirectional/);
        await expectRefusedStaging(f, "nfd", /NFC/);
      },
      "staging refuses names that escape the folder": async () => {
        const f = await fixture();
        await f.put("esc/ok.jsonl", "x");
        await f.put("esc/a/../../evil.jsonl", "x");
        // A `..` segment starts with a dot, so the listing already leaves it out, as a local folder walk would.
        expect(names(await f.source.list(pattern(f, "esc")))).toStrictEqual(["ok.jsonl"]);
        await f.put("esc//rooted.jsonl", "x");
        await expectRefusedStaging(f, "esc", /must be relative/);
      },
    };

    if (typeof skip === "string") console.warn(`FileSource conformance (${label}) skipped: ${skip}`);
    for (const [name, run] of Object.entries(cases) as [FileSourceCase, () => Promise<void>][]) {
      const reason = typeof skip === "string" ? skip : skip[name];
      if (reason === undefined) it(name, run);
      else {
        if (typeof skip !== "string") console.warn(`FileSource conformance (${label}): "${name}" skipped: ${reason}`);
        it.skip(`${name} (skipped: ${reason})`, run);
      }
    }
  });
}

/** Staging a prefix holding a bad name fails with InvalidIdentifierError before anything is written. */
async function expectRefusedStaging(f: FileSourceFixture, prefix: string, reason: RegExp): Promise<void> {
  const work = tempDir("stage-refused");
  try {
    const dir = path.join(work.dir, "in");
    const staging = stageInput(f.source, `${f.root}/${prefix}`, dir);
    await expect(staging).rejects.toThrow(InvalidIdentifierError);
    await expect(staging).rejects.toThrow(reason);
    expect(fs.readdirSync(work.dir)).toStrictEqual([]);
  } finally {
    work.cleanup();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function walk(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
    )
    .sort();
}
