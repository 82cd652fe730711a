import * as fs from "fs";
import * as path from "path";
import { EXIT_CODE_OF_KIND, exitCodeOf, RoxError } from "../../errors/rox-error";
import { ReconciliationError, UsageError } from "../../launcher/errors";
import { FileNotFoundError, WarehouseBusyError } from "../../io/errors";
import { SchemaError } from "../../schemas/schema-error";
import { CloudApiError } from "../../launcher/cloud/errors";

// Every typed error extends RoxError with a kind, and the kind alone decides the exit code. A class that extends Error
// directly is a fault of the program (exit 1) and must be listed here on purpose: a new error class fails this test
// until someone decides which. (ChunkHandleUsedError: a prepared chunk's handle used twice is a bug of its caller.
// MemoryPubSubError: the in-memory Pub/Sub lives in one process, so no command reaches it; a missing topic there is a
// programming fault. NeedMoreBytes: the Avro cursor's signal to read on, caught inside the reader.)
const EXIT_ONE = new Set([
  "BuildContextError",
  "BundleError",
  "ChunkHandleUsedError",
  "MemoryPubSubError",
  "NeedMoreBytes",
  "RowCodingError",
  "UnsupportedColumnError",
]);
const ROOTS = ["errors", "io", "launcher", "tools", "demo", "pipelines", "schemas", "transforms"];
const ROOT = path.resolve(__dirname, "..", "..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}

function classesExtending(base: string): string[] {
  const pattern = new RegExp(`class (\\w+) extends ${base}\\b`, "g");
  return ROOTS.flatMap((root) => sources(path.join(ROOT, root))).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(pattern)].map((m) => m[1]),
  );
}

test("every error class is a RoxError with a kind, or a listed fault of the program", () => {
  const typed = classesExtending("RoxError");
  expect(typed.length).toBeGreaterThan(30);
  expect(typed).toEqual(expect.arrayContaining(["SchemaError", "SampleOptionsError", "WarehouseBusyError"]));
  expect(classesExtending("Error").filter((name) => name !== "RoxError" && !EXIT_ONE.has(name))).toStrictEqual([]);
});

test("each kind has its own exit code, none of them 0 or 1", () => {
  const codes = Object.values(EXIT_CODE_OF_KIND);
  expect(new Set(codes).size).toBe(codes.length);
  expect(codes.every((code) => code >= 2)).toBe(true);
});

test.each<[unknown, number]>([
  [new UsageError("x"), 2],
  [new SchemaError("not_found", "x"), 3],
  [new FileNotFoundError("file:///x"), 3],
  [new ReconciliationError("x"), 4],
  [new CloudApiError("permission-denied", "dataflow", "jobs.create", "x"), 5],
  [new WarehouseBusyError("w.duckdb", 42), 9],
  [new Error("anything else"), 1],
  // The name no longer decides: an Error that only calls itself a typed one is still a fault of the program.
  [Object.assign(new Error("x"), { name: "CloudApiError" }), 1],
  [{ kind: "usage", message: "not an error at all" }, 1],
  ["not even an error", 1],
])("exitCodeOf(%p) = %i", (err, code) => {
  expect(exitCodeOf(err)).toBe(code);
});

test("a kind outside the table exits 1", () => {
  class Odd extends RoxError {
    readonly kind = "constructor" as never;
  }
  expect(exitCodeOf(new Odd("x"))).toBe(1);
});
