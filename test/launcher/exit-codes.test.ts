import * as fs from "fs";
import * as path from "path";
import { EXIT_CODES, exitCodeOf, UsageError } from "../../launcher/errors";

// Every typed error in the code has a deliberate exit code: mapped in EXIT_CODES, or listed here as a programming or
// build fault that exits 1. A new error class fails this test until someone decides which. (MemoryPubSubError: the
// in-memory Pub/Sub lives in one process, so no command reaches it; a missing topic there is a programming fault.)
const EXIT_ONE = new Set(["BuildContextError", "BundleError", "MemoryPubSubError", "RowCodingError", "UnsupportedColumnError"]);
const ROOTS = ["io", "launcher", "pipelines", "schemas", "transforms"];

function errorNames(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return errorNames(file);
    if (!entry.name.endsWith(".ts")) return [];
    // `this.name = "XError"` in a constructor, or a `name = "XError"` field (`override readonly name = …`).
    return [...fs.readFileSync(file, "utf8").matchAll(/\bname = "([A-Za-z]+Error)"/g)].map((m) => m[1]);
  });
}

test("every error class has a deliberate exit code", () => {
  const names = ROOTS.flatMap((root) => errorNames(path.resolve(__dirname, "..", "..", root)));
  expect(names.length).toBeGreaterThan(20);
  expect(names).toEqual(expect.arrayContaining(["SchemaError", "SampleOptionsError"]));
  expect(names.filter((name) => !Object.hasOwn(EXIT_CODES, name) && !EXIT_ONE.has(name))).toStrictEqual([]);
});

test.each([
  [new UsageError("x"), 2],
  [Object.assign(new Error("x"), { name: "TemplateParameterError" }), 3],
  [Object.assign(new Error("x"), { name: "CloudApiError" }), 5],
  [Object.assign(new Error("x"), { name: "EmulatorUnavailableError" }), 8],
  [new Error("anything else"), 1],
  [Object.assign(new Error("x"), { name: "constructor" }), 1],
  [Object.assign(new Error("x"), { name: "toString" }), 1],
  ["not even an error", 1],
])("exitCodeOf(%p) = %i", (err, code) => {
  expect(exitCodeOf(err)).toBe(code);
});
