import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { listInputs } from "../../io/files/list-files";
import { InputError } from "../../io/errors";
import { main } from "../../launcher/main";
import type { JobSummary } from "../../transforms/summary";
import { captureConsole } from "../support/console-capture";
import { tempDir } from "../support/temp";

// A file a path or glob names is read, or the summary says it was skipped and why: hidden names, markers and symbolic
// links (never followed) are not passed over silently.
const temp = tempDir("skipped-inputs");
afterAll(() => temp.cleanup());
const EVENT = (id: string) =>
  JSON.stringify({
    event_id: id,
    date: "2001-01-01T00:00:00Z",
    delay: 1,
    distance: 2,
    origin: "LAX",
    destination: "SFO",
  });

let root: string;
let outside: string;
beforeAll(() => {
  root = path.join(temp.dir, "in");
  outside = path.join(temp.dir, "outside");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret.jsonl"), EVENT("outside") + "\n");
  const files: Record<string, string> = {
    "a.jsonl": "a",
    "_b.jsonl": "b",
    ".c.jsonl": "c",
    "_temporary/d.jsonl": "d",
    "sub/e.jsonl": "e",
    "sub/.f.jsonl": "f",
  };
  for (const [name, id] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), EVENT(id) + "\n");
  }
  fs.symlinkSync(path.join(outside, "secret.jsonl"), path.join(root, "link.jsonl"));
  fs.symlinkSync(outside, path.join(root, "linked-folder"));
});

const at = (name: string) => pathToFileURL(path.join(root, name)).href;
const skippedOf = (input: string) =>
  Object.fromEntries(listInputs(input).skipped.map((s) => [path.relative(root, new URL(s.uri).pathname), s.reason]));

test("a glob reports what it names and skipped, with the reason", () => {
  const listing = listInputs(path.join(root, "*.jsonl"));
  expect(listing.files).toEqual([path.join(root, "a.jsonl")]);
  expect(skippedOf(path.join(root, "*.jsonl"))).toEqual({
    ".c.jsonl": 'hidden (its name starts with ".")',
    "_b.jsonl": 'a marker or temporary name such as _SUCCESS (it starts with "_")',
    "link.jsonl": "a symbolic link (not followed)",
  });
});

test("a deep glob reports files inside marker folders and linked folders it could reach", () => {
  expect(Object.keys(skippedOf(path.join(root, "**/*.jsonl"))).sort()).toEqual([
    ".c.jsonl",
    "_b.jsonl",
    "_temporary/d.jsonl",
    "link.jsonl",
    "linked-folder",
    "sub/.f.jsonl",
  ]);
  expect(skippedOf(path.join(root, "**/*.jsonl"))["_temporary/d.jsonl"]).toBe(
    'inside _temporary/, a marker or temporary name such as _SUCCESS (it starts with "_")',
  );
  expect(Object.keys(skippedOf(path.join(root, "sub/*.jsonl")))).toEqual(["sub/.f.jsonl"]);
});

test("a folder reports everything it skipped; a path naming a file reads it, whatever its name", () => {
  expect(Object.keys(skippedOf(root)).sort()).toEqual([
    ".c.jsonl",
    "_b.jsonl",
    "_temporary/d.jsonl",
    "link.jsonl",
    "linked-folder",
    "sub/.f.jsonl",
  ]);
  expect(listInputs(path.join(root, "_b.jsonl"))).toEqual({ files: [path.join(root, "_b.jsonl")], skipped: [] });
  expect(listInputs(path.join(root, "link.jsonl")).files).toEqual([path.resolve(root, "link.jsonl")]);
});

test("a path that is neither a file nor a folder is an input error, not a crash", () => {
  expect(() => listInputs("/dev/null")).toThrow(InputError);
  expect(() => listInputs("/dev/null")).toThrow("is neither a regular file nor a folder");
});

describe("rox batch", () => {
  const { out, errors } = captureConsole();

  test("reads what the glob names, and its summary lists the skipped files with their reasons", async () => {
    const summaryFile = path.join(temp.dir, "summary.json");
    const argv = [
      "batch",
      "--input",
      path.join(root, "*.jsonl"),
      "--schema",
      "flights",
      "--warehouse",
      path.join(temp.dir, "w.duckdb"),
      "--summary",
      summaryFile,
    ];
    expect(await main(argv)).toBe(0);
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as JobSummary;
    expect(summary).toMatchObject({ read: 1, written: 1 });
    expect(summary.skipped).toEqual({
      count: 3,
      files: [
        { uri: at(".c.jsonl"), reason: 'hidden (its name starts with ".")' },
        { uri: at("_b.jsonl"), reason: 'a marker or temporary name such as _SUCCESS (it starts with "_")' },
        { uri: at("link.jsonl"), reason: "a symbolic link (not followed)" },
      ],
    });
    const printed = out.join("\n");
    expect(printed).toMatch(/skipped files +3 named by the input, not read/);
    expect(printed).toContain(`${at("link.jsonl")}: a symbolic link (not followed)`);
  });

  test("an input whose every match was skipped exits 3 and says what and why", async () => {
    const argv = [
      "batch",
      "--input",
      path.join(root, "_*.jsonl"),
      "--schema",
      "flights",
      "--warehouse",
      path.join(temp.dir, "w2.duckdb"),
    ];
    expect(await main(argv)).toBe(3);
    expect(errors.join("\n")).toContain(
      `nothing to read in ${path.join(root, "_*.jsonl")}: 1 matching file(s) skipped (${at("_b.jsonl")}: a marker`,
    );
  });
});
