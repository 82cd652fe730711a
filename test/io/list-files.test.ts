import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { globToRegExp, listInputFiles } from "../../io/files/list-files";
import { InputError } from "../../io/errors";

describe("listing input files", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "rox-list-"));
    for (const file of [
      "a/2001-01-01.jsonl",
      "a/2001-01-02.jsonl",
      "a/notes.txt",
      "b/c/2001-02-01.jsonl",
      "top.csv",
      ".hidden/x.jsonl",
      "a/_SUCCESS",
    ]) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), "");
    }
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const rel = (files: string[]) => files.map((f) => path.relative(root, f));

  test.each([
    ["top.csv", ["top.csv"]],
    ["a", ["a/2001-01-01.jsonl", "a/2001-01-02.jsonl", "a/notes.txt"]],
    ["", ["a/2001-01-01.jsonl", "a/2001-01-02.jsonl", "a/notes.txt", "b/c/2001-02-01.jsonl", "top.csv"]],
    ["a/*.jsonl", ["a/2001-01-01.jsonl", "a/2001-01-02.jsonl"]],
    ["**/*.jsonl", ["a/2001-01-01.jsonl", "a/2001-01-02.jsonl", "b/c/2001-02-01.jsonl"]],
    ["a/2001-01-0?.jsonl", ["a/2001-01-01.jsonl", "a/2001-01-02.jsonl"]],
    ["*/2001-01-01.jsonl", ["a/2001-01-01.jsonl"]],
  ])("%s", (input, expected) => {
    expect(rel(listInputFiles(path.join(root, input)))).toStrictEqual(expected);
  });

  test("a missing path is an input error that names it", () => {
    expect(() => listInputFiles(path.join(root, "missing"))).toThrow(InputError);
    expect(() => listInputFiles(path.join(root, "missing/*.jsonl"))).toThrow(/input not found/);
  });

  test("glob patterns escape regex characters", () => {
    expect(globToRegExp("/d/a+b(1).jsonl").test("/d/a+b(1).jsonl")).toBe(true);
    expect(globToRegExp("/d/*.jsonl").test("/d/x/y.jsonl")).toBe(false);
  });
});
