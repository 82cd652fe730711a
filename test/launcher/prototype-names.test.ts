import { Writer } from "protobufjs";
import { toLoadRow } from "../../io/gcp/bigquery/bigquery-rows";
import { main } from "../../launcher/main";
import { parseLaunchArgs } from "../../launcher/template/launch-args";
import { toMessageRecord } from "../../pipelines/dataflow/pubsub-message";
import type { BigQueryField } from "../../schemas/bigquery";
import { addTallies } from "../../transforms/summary";
import { captureConsole } from "../support/console-capture";

// Names a user supplies (a command, a parameter, a message attribute, a column, a table) are looked up as own keys
// only: "constructor", "toString" or "__proto__" must never find, or set, Object.prototype's.
const { errors } = captureConsole();

test.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])(
  "rox %s is an unknown command (exit 2)",
  async (name) => {
    expect(await main([name])).toBe(2);
    expect(errors[0]).toContain(`unknown command "${name}"`);
  },
);

test("a misspelled command names the nearest one", async () => {
  expect(await main(["strem"])).toBe(2);
  expect(errors[0]).toContain('unknown command "strem" (did you mean "stream"?)');
});

test("the Flex Template entry point does not take --constructor for a job's parameter", () => {
  expect(() => parseLaunchArgs(["--constructor=x"])).toThrow("cannot tell which job to launch");
  expect(() =>
    parseLaunchArgs(["--toString=x", "--input=gs://bucket/x.jsonl", "--schema=flights", "--dataset=d"]),
  ).toThrow('unknown parameter "toString"');
});

test("a Pub/Sub attribute named __proto__ or constructor is data", () => {
  const writer = Writer.create();
  for (const [key, value] of [
    ["__proto__", "x"],
    ["constructor", "y"],
  ])
    writer
      .uint32((2 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string(key)
      .uint32((2 << 3) | 2)
      .string(value)
      .ldelim();
  const record = toMessageRecord(
    writer
      .uint32((3 << 3) | 2)
      .string("m-1")
      .finish(),
  );
  expect(Object.getPrototypeOf(record.attributes)).toBe(Object.prototype);
  expect(Object.keys(record.attributes)).toEqual(["__proto__", "constructor"]);
  expect(JSON.stringify(record.attributes)).toBe('{"__proto__":"x","constructor":"y"}');
});

test("a column named constructor that a row lacks is not loaded as Object's function", () => {
  const fields: BigQueryField[] = [
    { name: "constructor", type: "STRING", mode: "NULLABLE" },
    { name: "toString", type: "INT64", mode: "NULLABLE" },
  ];
  expect(toLoadRow(fields, {})).toEqual({});
  expect(toLoadRow(fields, { constructor: "c", toString: 1 })).toEqual({ constructor: "c", toString: 1 });
});

test("tallies by a table named constructor add numbers, not Object's function", () => {
  expect(addTallies({}, { constructor: 2, toString: 1 })).toEqual({ constructor: 2, toString: 1 });
  expect(addTallies({ constructor: 2 }, { constructor: 3 })).toEqual({ constructor: 5 });
});
