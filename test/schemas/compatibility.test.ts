import { checkCompatibility } from "../../schemas/compatibility";
import { loadContract } from "../../schemas/load";
import { parseContract } from "../../schemas/parse-contract";

const v1 = loadContract("flights");

type SchemaJson = Record<string, unknown> & { fields: Record<string, unknown>[] };

/** Version 2 of flights: v1's schema JSON changed by `edit`. */
function nextVersion(edit: (json: SchemaJson) => void) {
  const json = structuredClone({ ...v1.schemaJson, "rox.version": 2 }) as unknown as SchemaJson;
  edit(json);
  return parseContract("flights", json);
}

test("a field added with a default is compatible", () => {
  const v2 = nextVersion((json) => json.fields.push({ name: "carrier", type: ["null", "string"], default: null }));
  expect(checkCompatibility(v1, v2)).toEqual({ compatible: true });
});

test("int widened to long is compatible (Avro promotion)", () => {
  const v2 = nextVersion((json) => {
    json.fields.find((f) => f.name === "distance")!.type = "long";
  });
  expect(checkCompatibility(v1, v2)).toEqual({ compatible: true });
});

test("a type change is not", () => {
  const v2 = nextVersion((json) => {
    const delay = json.fields.find((f) => f.name === "delay")!;
    delay.type = "string";
    delete delay["rox.min"];
    delete delay["rox.max"];
  });
  const result = checkCompatibility(v1, v2);
  expect(result.compatible).toBe(false);
  expect(result.compatible ? [] : result.reasons).toEqual([
    expect.stringMatching(/version 2 cannot read version 1: .*int.*string|string.*int/),
  ]);
});

test("a required field added without a default is not", () => {
  const v2 = nextVersion((json) => json.fields.push({ name: "carrier", type: "string" }));
  expect(checkCompatibility(v1, v2).compatible).toBe(false);
});

test("moving the id field is not, even when Avro could read the data", () => {
  const v2 = nextVersion((json) => {
    json.fields.push({ name: "flight_id", type: "string", default: "" });
    json["rox.id"] = "flight_id";
  });
  expect(checkCompatibility(v1, v2)).toEqual({
    compatible: false,
    reasons: ["idField changed from event_id to flight_id"],
  });
});
