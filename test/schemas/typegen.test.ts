import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generatedTypesPath, generateTypes } from "../../schemas/generate-types";
import type { Flight } from "../../schemas/generated/flights";
import { listContracts, loadContract } from "../../schemas/load";
import { typeScriptSource } from "../../schemas/typegen";
import { expectGolden, FIXTURE_SCHEMAS } from "./golden";

describe("committed generated types", () => {
  test.each(listContracts())("schemas/generated/%s.ts is up to date", (name) => {
    const file = generatedTypesPath(name);
    const hint = "stale: run `npx tsc -p . && node dist/schemas/generate-types.js` and commit the result";
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : `missing ${file}`;
    expect({ file, hint, source: committed }).toEqual({ file, hint, source: typeScriptSource(loadContract(name)) });
  });

  test("the Flight type describes a validated flight", () => {
    const flight: Flight = {
      event_id: "e1",
      date: 978307260000,
      delay: 33,
      distance: 2176,
      origin: "LAS",
      destination: "PHL",
    };
    expect(Object.keys(flight)).toEqual(loadContract("flights").fields.map((f) => f.name));
  });
});

test("nested records, arrays, nullable and logical types (golden)", () => {
  expectGolden("clicks.types.ts.txt", typeScriptSource(loadContract("clicks", { dir: FIXTURE_SCHEMAS })));
});

test("generateTypes writes one file per schema", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-typegen-"));
  fs.copyFileSync(path.join(FIXTURE_SCHEMAS, "clicks.avsc"), path.join(dir, "clicks.avsc"));
  expect(generateTypes({ dir })).toEqual([path.join(dir, "generated", "clicks.ts")]);
  expect(fs.readFileSync(path.join(dir, "generated", "clicks.ts"), "utf8")).toContain("export interface Click {");
  fs.rmSync(dir, { recursive: true });
});
