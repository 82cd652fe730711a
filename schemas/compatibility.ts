/**
 * Whether a new version of a schema can read events written with the old one (Avro backward compatibility, via
 * avsc's resolver), plus the contract-level changes no resolver sees but which would break the tables.
 */
import * as avro from "avsc";
import type { Contract } from "./contract";

export type Compatibility = { compatible: true } | { compatible: false; reasons: string[] };

/** Compatible when `newContract`'s reader resolves `oldContract`'s writer schema and the table keys stay put. */
export function checkCompatibility(oldContract: Contract, newContract: Contract): Compatibility {
  const reasons = [...resolverProblems(oldContract, newContract), ...keyChanges(oldContract, newContract)];
  return reasons.length === 0 ? { compatible: true } : { compatible: false, reasons };
}

function resolverProblems(oldContract: Contract, newContract: Contract): string[] {
  try {
    avroTypeOf(newContract).createResolver(avroTypeOf(oldContract));
    return [];
  } catch (error) {
    return [`version ${newContract.version} cannot read version ${oldContract.version}: ${(error as Error).message}`];
  }
}

// Rows are keyed, partitioned and named by these; changing one needs a new table, not a new schema version.
function keyChanges(oldContract: Contract, newContract: Contract): string[] {
  const keys = ["table", "idField", "eventTimeField"] as const;
  return keys
    .filter((key) => oldContract[key] !== newContract[key])
    .map((key) => `${key} changed from ${oldContract[key]} to ${newContract[key]}`);
}

function avroTypeOf(contract: Contract): avro.Type {
  if (contract.avroType instanceof avro.Type) return contract.avroType;
  throw new TypeError(`contract ${contract.name} carries no avsc Type`);
}
