import { parseTopicName, subscriptionPath, validateSubscriptionId, validateTopicId } from "../../io/identifiers/pubsub";
import { InvalidIdentifierError } from "../../io/identifiers/project";

/** [id, the rule's text in the error, or undefined when the id is valid]. */
type Case = [string, string | undefined];

// The emulator applies the same rules (checked by hand against emulator 0.8.20: "googx", "ab", "1abc", "_abc", "a b c"
// and 256 characters are refused; "Googx", "abc", "a~+%.-_b" and 255 characters are accepted).
const RESOURCE_CASES: Case[] = [
  ["abc", undefined],
  ["flights-events", undefined],
  ["Events_2001.v1~x+y%z", undefined],
  ["Googx", undefined],
  ["a".repeat(255), undefined],
  ["", "3 to 255 characters"],
  ["ab", "3 to 255 characters"],
  ["a".repeat(256), "3 to 255 characters"],
  ["1abc", "must start with a letter"],
  ["_abc", "must start with a letter"],
  ["-abc", "must start with a letter"],
  ["a b", "only letters, digits and - _ . ~ + %"],
  ["ab/c", "only letters, digits and - _ . ~ + %"],
  ["abé", "only letters, digits and - _ . ~ + %"],
  ["projects/p/subscriptions/s", "only letters, digits and - _ . ~ + %"],
  ["goog-events", 'must not start with "goog"'],
  ["googx", 'must not start with "goog"'],
];

function title([id, rule]: Case): string {
  const shown = id.length > 40 ? `${id.slice(0, 12)}… (${id.length} chars)` : id;
  return `${JSON.stringify(shown)} → ${rule ?? "valid"}`;
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectRule(validate: (id: string) => string, kind: string, [id, rule]: Case): void {
  if (rule === undefined) {
    expect(validate(id)).toBe(id);
    return;
  }
  const thrown = thrownBy(() => validate(id));
  expect(thrown).toBeInstanceOf(InvalidIdentifierError);
  expect(thrown).toMatchObject({ idKind: kind, id });
  expect((thrown as Error).message).toContain(rule);
}

describe("Pub/Sub subscription ids", () => {
  RESOURCE_CASES.forEach((c) => it(title(c), () => expectRule(validateSubscriptionId, "Pub/Sub subscription id", c)));
});

describe("Pub/Sub topic ids", () => {
  RESOURCE_CASES.forEach((c) => it(title(c), () => expectRule(validateTopicId, "Pub/Sub topic id", c)));
});

describe("subscription paths", () => {
  it("joins two valid ids", () => {
    expect(subscriptionPath("rox-test", "flights-stream")).toBe("projects/rox-test/subscriptions/flights-stream");
    expect(subscriptionPath("example.com:rox-test", "s~1")).toBe("projects/example.com:rox-test/subscriptions/s~1");
  });

  it.each([
    ["Rox-Test", "flights-stream", "project id"],
    ["rox", "flights-stream", "project id"],
    ["rox-test", "fs", "Pub/Sub subscription id"],
    ["rox-test", "goog-stream", "Pub/Sub subscription id"],
  ])("refuses %s / %s (bad %s)", (project, subscription, kind) => {
    expect(thrownBy(() => subscriptionPath(project, subscription))).toMatchObject({
      name: "InvalidIdentifierError",
      idKind: kind,
    });
  });
});

describe("a topic's full name (rox monitor --alert-topic)", () => {
  test("projects/<p>/topics/<t> gives its parts", () => {
    expect(parseTopicName("projects/rox-prod/topics/monitoring-alerts")).toEqual({
      projectId: "rox-prod",
      topic: "monitoring-alerts",
      name: "projects/rox-prod/topics/monitoring-alerts",
    });
  });

  test.each([
    "monitoring-alerts",
    "projects/rox-prod/topics/",
    "projects/rox-prod/topics/a/b",
    "projects/Rox/topics/alerts",
    "projects/rox-prod/topics/goog-alerts",
    "projects/rox-prod/subscriptions/alerts",
  ])("%j is refused", (name) => {
    expect(() => parseTopicName(name)).toThrow(InvalidIdentifierError);
  });
});
