import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import { loadContract, schemasDir } from "../../schemas/load";

type SchemaJson = {
  fields: Record<string, unknown>[];
  "rox.version": number;
  "rox.features": { windows: Record<string, unknown>[] };
};

/** A changed copy of schemas/flights.avsc, written to `dir` and loaded as a contract (the "next version"). */
export function flightsVersion(dir: string, change: (schema: SchemaJson) => void): Contract {
  const schema = JSON.parse(fs.readFileSync(path.join(schemasDir(), "flights.avsc"), "utf8")) as SchemaJson;
  change(schema);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "flights.avsc"), JSON.stringify(schema, null, 2));
  return loadContract("flights", { dir });
}
