import { validateDatasetId, validateTableId, validateBigQueryTarget } from "../../io/identifiers/bigquery";
import { InvalidIdentifierError, validateProjectId } from "../../io/identifiers/project";

/** [id, the rule's text in the error, or undefined when the id is valid]. */
type Case = [string, string | undefined];

function title([id, rule]: Case): string {
  const shown = id.length > 40 ? `${id.slice(0, 12)}… (${id.length} chars)` : id;
  return `${JSON.stringify(shown)} → ${rule ?? "valid"}`;
}

function expectRule(validate: (id: string) => string, [id, rule]: Case): void {
  if (rule === undefined) {
    expect(validate(id)).toBe(id);
    return;
  }
  let thrown: unknown;
  try {
    validate(id);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvalidIdentifierError);
  expect((thrown as InvalidIdentifierError).id).toBe(id);
  expect((thrown as Error).message).toContain(`"${id}"`);
  expect((thrown as Error).message).toContain(rule);
}

describe("project ids", () => {
  const cases: Case[] = [
    ["rox-test", undefined],
    ["my-project-123456", undefined],
    ["a23456", undefined],
    ["example.com:my-project", undefined],
    ["", "must not be empty"],
    ["abcde", "6 to 30 characters"],
    ["a".repeat(31), "6 to 30 characters"],
    ["1project", "start with a lowercase letter"],
    ["My-project", "start with a lowercase letter"],
    ["my-project-", "must not end with a hyphen"],
    ["my_project", "only lowercase letters, digits and hyphens"],
    ["my-Project", "only lowercase letters, digits and hyphens"],
    ["bad domain:my-project", "example.com:my-project"],
  ];
  cases.forEach((c) => it(title(c), () => expectRule(validateProjectId, c)));
});

describe("dataset ids", () => {
  const cases: Case[] = [
    ["rox", undefined],
    ["Rox_Events_2001", undefined],
    ["_hidden", undefined],
    ["a".repeat(1024), undefined],
    ["", "must not be empty"],
    ["a".repeat(1025), "at most 1024 characters"],
    ["rox-events", "only letters, digits and underscores"],
    ["rox.events", "only letters, digits and underscores"],
    ["rox events", "only letters, digits and underscores"],
  ];
  cases.forEach((c) => it(title(c), () => expectRule(validateDatasetId, c)));
});

describe("table ids", () => {
  const cases: Case[] = [
    ["flights", undefined],
    ["flights_origin_hourly", undefined],
    ["flights-2001 copy", undefined],
    ["vols_à_lheure", undefined],
    ["航班", undefined],
    ["", "must not be empty"],
    ["é".repeat(513), "at most 1024 bytes"],
    ["flights$20010101", "must not contain $"],
    ["flights.events", "only letters, marks, numbers"],
    ["flights;DROP", "only letters, marks, numbers"],
    ["fl`ights", "only letters, marks, numbers"],
  ];
  cases.forEach((c) => it(title(c), () => expectRule(validateTableId, c)));
});

describe("a BigQuery target", () => {
  it("checks the project before the dataset", () => {
    expect(() => validateBigQueryTarget({ projectId: "X", dataset: "bad-ds" })).toThrow(/project id "X"/);
    expect(() => validateBigQueryTarget({ projectId: "rox-test", dataset: "bad-ds" })).toThrow(/dataset id "bad-ds"/);
    expect(() => validateBigQueryTarget({ projectId: "rox-test", dataset: "rox" })).not.toThrow();
  });
});
