/** The TypeScript type of a contract's validated event (an EventRecord), as source text. */
import type { Contract, FieldSpec } from "./contract";

const SCALARS: Record<string, string> = {
  string: "string",
  int: "number",
  long: "number",
  float: "number",
  double: "number",
  boolean: "boolean",
  bytes: "string | Uint8Array",
  timestamp: "number /* epoch ms UTC */",
  date: "number /* days since 1970-01-01 */",
};

/** A module exporting `interface <RecordName>`; stable text, so a committed copy can be compared for staleness. */
export function typeScriptSource(contract: Contract): string {
  const header = [
    `// Generated from ${contract.name}.avsc (${contract.avroName}, version ${contract.version}).`,
    "// Do not edit: change the schema and run schemas/generate-types.ts.",
    "",
  ];
  const doc = typeof contract.schemaJson.doc === "string" ? docComment(contract.schemaJson.doc, "") : [];
  const body = [...doc, `export interface ${interfaceName(contract)} ${objectType(contract.fields, "")}`];
  return [...header, ...body, ""].join("\n");
}

/** The Avro record's short name, e.g. "Flight" for "rox.events.Flight". */
export function interfaceName(contract: Contract): string {
  return contract.avroName.slice(contract.avroName.lastIndexOf(".") + 1);
}

function objectType(fields: FieldSpec[], indent: string): string {
  const inner = `${indent}  `;
  const members = fields.flatMap((f) => [...docComment(f.doc, inner), `${inner}${f.name}: ${fieldType(f, inner)};`]);
  return `{\n${members.join("\n")}\n${indent}}`;
}

function fieldType(spec: FieldSpec, indent: string): string {
  const type = nonNullType(spec, indent);
  return spec.nullable ? `${type} | null` : type;
}

function nonNullType(spec: FieldSpec, indent: string): string {
  if (spec.kind === "record") return objectType(spec.fields ?? [], indent);
  if (spec.kind === "array") return `Array<${spec.items ? fieldType(spec.items, indent) : "unknown"}>`;
  if (spec.kind === "decimal") return `string /* decimal(${spec.decimal?.precision},${spec.decimal?.scale}) */`;
  return SCALARS[spec.kind];
}

function docComment(doc: string | undefined, indent: string): string[] {
  return doc ? [`${indent}/** ${doc.replace(/\*\//g, "*\\/")} */`] : [];
}
