import { expandBraces, globMatcher, isHiddenName, splitPattern } from "../../io/files/file-pattern";

describe("input patterns", () => {
  test.each([
    ["in/2001/*.jsonl", { root: "in/2001/", glob: "*.jsonl" }],
    ["*.jsonl", { root: "", glob: "*.jsonl" }],
    ["in/**/x.csv", { root: "in/", glob: "**/x.csv" }],
    ["in/{a,b}/x.csv", { root: "in/", glob: "{a,b}/x.csv" }],
    ["/abs/d?y/x", { root: "/abs/", glob: "d?y/x" }],
    ["in/2001", { root: "in/2001" }],
    ["in/2001/", { root: "in/2001/" }],
    ["", { root: "" }],
  ])("split %j", (pattern, expected) => expect(splitPattern(pattern)).toStrictEqual(expected));

  test.each([
    ["a{b,c}d", ["abd", "acd"]],
    ["{x,y}/{1,2}", ["x/1", "x/2", "y/1", "y/2"]],
    ["a{b,c{d,e}}", ["ab", "acd", "ace"]],
    ["{,s}.csv", [".csv", "s.csv"]],
    ["a{b", ["a{b"]],
    ["plain", ["plain"]],
  ])("expand %j", (glob, expected) => expect(expandBraces(glob)).toStrictEqual(expected));

  test.each([
    ["*.jsonl", "a.jsonl", true],
    ["*.jsonl", "x/a.jsonl", false],
    ["**/*.jsonl", "a.jsonl", true],
    ["**/*.jsonl", "x/y/a.jsonl", true],
    ["2001-0?-*.{csv,jsonl}", "2001-01-31.csv", true],
    ["2001-0?-*.{csv,jsonl}", "2001-10-31.csv", false],
    ["{a,b}/*", "c/x", false],
    ["a+b(1).jsonl", "a+b(1).jsonl", true],
  ])("%j matches %j: %s", (glob, name, expected) => expect(globMatcher(glob)(name)).toBe(expected));

  test.each([
    ["a/b.jsonl", false],
    [".hidden", true],
    ["a/_SUCCESS", true],
    ["_temporary/0/part", true],
    ["a/..data/x", true],
    ["a_b/c.jsonl", false],
  ])("hidden %j: %s", (name, expected) => expect(isHiddenName(name)).toBe(expected));
});
