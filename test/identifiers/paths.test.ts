import * as path from "path";
import { resolveInside, validateRelativePath } from "../../io/identifiers/paths";
import { InvalidIdentifierError } from "../../io/identifiers/project";

/** [name, the rule's text in the error, or undefined when the name is valid]. */
type Case = [string, string | undefined];

function expectRule(check: () => unknown, rule: string | undefined): void {
  if (rule === undefined) {
    expect(check).not.toThrow();
    return;
  }
  let thrown: unknown;
  try {
    check();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvalidIdentifierError);
  expect((thrown as Error).message).toContain(rule);
}

describe("relative paths (names staged below a folder)", () => {
  const cases: Case[] = [
    ["a.jsonl", undefined],
    ["2001/01/jour 1 é.jsonl", undefined],
    ["..data/x.jsonl", undefined], // a name that merely starts with two dots stays inside
    ["a/b..c/d", undefined],
    ["emoji 👩‍💻.jsonl", undefined], // ZWJ sequences are ordinary text
    ["", "must not be empty"],
    ["../x.jsonl", 'must not contain a ".." segment'],
    ["a/../../x.jsonl", 'must not contain a ".." segment'],
    ["a/..", 'must not contain a ".." segment'],
    ["./x.jsonl", 'must not contain a "." segment'],
    ["/etc/passwd", "must be relative"],
    ["a//b.jsonl", "empty segment"],
    ["a/", "empty segment"],
    ["a\\..\\..\\x", "backslash"],
    ["a\0b", "must not contain NUL"],
    ["a\u0007b", "control characters"],
    ["a\tb", "control characters"],
    ["a\u007fb", "control characters"],
    ["a\u0085b", "control characters"], // C1 next line
    ["invoice\u202Elsonj.exe", "bidirectional"],
    ["a\u2066b\u2069", "bidirectional"],
    ["a\u200Fb", "bidirectional"],
    ["a\u200Bb", "zero-width"],
    ["\uFEFFa.jsonl", "zero-width"],
    ["cafe\u0301.jsonl", "NFC"],
    ["bad\udc00half", "lone surrogate"],
    [`${"x".repeat(256)}.jsonl`, "at most 255 bytes"],
    [`d/${"é".repeat(128)}`, "at most 255 bytes"],
  ];
  test.each(cases)("%j → %s", (name, rule) => expectRule(() => validateRelativePath(name), rule));
  test("a valid name is returned unchanged", () => expect(validateRelativePath("a/b.jsonl")).toBe("a/b.jsonl"));
});

describe("resolveInside", () => {
  const root = path.resolve("/data/in");
  test.each([
    ["a.jsonl", path.join(root, "a.jsonl")],
    ["x/y z/é.jsonl", path.join(root, "x", "y z", "é.jsonl")],
    [path.join(root, "abs.jsonl"), path.join(root, "abs.jsonl")],
    ["/data/in/../in/ok.jsonl", path.join(root, "ok.jsonl")],
  ])("%s → %s", (name, expected) => expect(resolveInside(root, name)).toBe(expected));

  test.each([
    ["../x", '".." segment'],
    ["/data/other/x.jsonl", "must lie inside"],
    ["/data/in-other/x.jsonl", "must lie inside"], // a sibling sharing the prefix is not inside
    ["/data/in", "must lie inside"], // the root itself is no file in it
    ["/data/in/../x.jsonl", "must lie inside"],
    ["/data/in/a\0b", "NUL"],
    ["/data/in/\u202Eexe.txt", "bidirectional"],
  ])("%s is refused: %s", (name, rule) => expectRule(() => resolveInside(root, name), rule));
});
