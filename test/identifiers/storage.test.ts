import { InvalidIdentifierError } from "../../io/identifiers/project";
import { gcsUri, isGcsUri, parseGcsUri, validateBucketName, validateObjectName } from "../../io/identifiers/storage";

/** [name, the rule's text in the error, or undefined when the name is valid]. */
type Case = [string, string | undefined];

function title([name, rule]: Case): string {
  const shown = name.length > 40 ? `${name.slice(0, 12)}… (${name.length} chars)` : name;
  return `${JSON.stringify(shown)} → ${rule ?? "valid"}`;
}

function expectRule(validate: (name: string) => unknown, [name, rule]: Case): void {
  if (rule === undefined) {
    expect(() => validate(name)).not.toThrow();
    return;
  }
  let thrown: unknown;
  try {
    validate(name);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvalidIdentifierError);
  expect((thrown as Error).message).toContain(rule);
}

describe("bucket names", () => {
  const cases: Case[] = [
    ["rox-data", undefined],
    ["abc", undefined],
    ["my_bucket-01", undefined],
    ["a".repeat(63), undefined],
    ["data.example.com", undefined],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(30)}`, undefined], // 222 characters
    ["", "must not be empty"],
    ["ab", "must be 3 to 63 characters"],
    ["a".repeat(64), "must be 3 to 63 characters"],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(31)}`, "at most 222 characters"],
    [`${"a".repeat(64)}.com`, "each dot-separated part must be at most 63"],
    ["Rox-data", "only lowercase letters, digits, dashes, underscores and dots"],
    ["rox data", "only lowercase letters"],
    ["rox/data", "only lowercase letters"],
    ["é-bucket", "only lowercase letters"],
    ["-rox", "start and end with a letter or a digit"],
    ["rox_", "start and end with a letter or a digit"],
    ["rox..data", "empty dot-separated part"],
    ["192.168.5.4", "must not look like an IP address"],
    ["goog-data", 'must not start with "goog"'],
    ["my-google-data", 'must not contain "google"'],
    ["my-g00gle-data", "close misspelling"],
  ];
  cases.forEach((c) => it(title(c), () => expectRule(validateBucketName, c)));
});

describe("object names", () => {
  const cases: Case[] = [
    ["a.jsonl", undefined],
    ["dir/sub dir/été.jsonl", undefined],
    ["a/../b", undefined], // legal in a bucket; refused when staged (paths.ts)
    ["x".repeat(1024), undefined],
    ["é".repeat(512), undefined], // 1,024 bytes
    ["", "must not be empty"],
    ["x".repeat(1025), "at most 1024 bytes"],
    ["é".repeat(513), "at most 1024 bytes"],
    ["a\nb", "carriage return or a line feed"],
    ["a\rb", "carriage return or a line feed"],
    [".", 'must not be "." or ".."'],
    ["..", 'must not be "." or ".."'],
    [".well-known/acme-challenge/token", "acme-challenge"],
    ["bad\ud800half", "no lone surrogate"],
  ];
  cases.forEach((c) => it(title(c), () => expectRule(validateObjectName, c)));
});

describe("gs:// URIs", () => {
  test.each([
    ["gs://rox-data", { bucket: "rox-data", object: "" }],
    ["gs://rox-data/", { bucket: "rox-data", object: "" }],
    ["gs://rox-data/in/2001/*.jsonl", { bucket: "rox-data", object: "in/2001/*.jsonl" }],
    ["gs://rox-data/a b/é.jsonl", { bucket: "rox-data", object: "a b/é.jsonl" }],
  ])("%s", (uri, expected) => {
    expect(parseGcsUri(uri)).toStrictEqual(expected);
    expect(isGcsUri(uri)).toBe(true);
  });

  test.each([
    ["s3://rox-data/x", "must start with gs://"],
    ["/local/path", "must start with gs://"],
    ["gs://", "must not be empty"],
    ["gs://ab/x", "3 to 63 characters"],
    ["gs://Rox/x", "only lowercase letters"],
    ["gs://rox-data/..", 'must not be "." or ".."'],
    ["gs://rox-data/a\nb", "line feed"],
  ])("%s is refused: %s", (uri, rule) => expectRule(parseGcsUri, [uri, rule]));

  test("gcsUri joins a bucket and an object name", () => {
    expect(gcsUri("rox-data", "a b/é.jsonl")).toBe("gs://rox-data/a b/é.jsonl");
    expect(parseGcsUri(gcsUri("rox-data", "a b/é.jsonl"))).toStrictEqual({ bucket: "rox-data", object: "a b/é.jsonl" });
  });
});
