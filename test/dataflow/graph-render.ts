import { Reader } from "protobufjs";
import { ParDoPayload, type Components, type Pipeline } from "apache-beam/proto/beam_runner_api";
import { AtomicType, Schema, type FieldType } from "apache-beam/proto/schema";
import { PortableRowCoder } from "../../pipelines/dataflow/row-coder";

/**
 * A portable pipeline proto as readable, stable JSON: leaf transforms (URN, environment, inputs and outputs by
 * PCollection, decoded payloads where we know their shape), the coder of every PCollection our SDK side touches,
 * and the environments. Expansion namespaces are renumbered by first appearance and the JAR's content hash is
 * dropped, so the same graph renders the same in any process and with any rebuild of the JAR.
 */
const KEPT_COMPOSITES = new Set(["beam:transform:pubsub_read:v1"]);

export function renderPipeline(proto: Pipeline): unknown {
  const c = proto.components ?? ({} as Components);
  // Leaves, and the composites runners replace by URN (Dataflow runs the Pub/Sub read natively).
  const leaves = Object.entries(c.transforms).filter(
    ([, t]) => t.subtransforms.length === 0 || KEPT_COMPOSITES.has(t.spec?.urn ?? ""),
  );
  const ours = new Set<string>();
  for (const [id, t] of leaves)
    if (!id.startsWith("namespace_"))
      [...Object.values(t.inputs), ...Object.values(t.outputs)].forEach((pc) => ours.add(pc));
  const rendered = {
    roots: proto.rootTransformIds.map((id) => c.transforms[id].uniqueName),
    requirements: [...new Set(proto.requirements)].sort(),
    transforms: leaves.map(([, t]) => renderTransform(t)).sort((a, b) => a.name.localeCompare(b.name)),
    coders: Object.fromEntries([...ours].sort().map((pc) => [pc, renderCoder(c, c.pcollections[pc].coderId)])),
    environments: Object.fromEntries(Object.entries(c.environments).map(([id, env]) => [id, renderEnvironment(env)])),
  };
  // The staged JAR's name carries its content hash, which changes whenever setup-beam.sh rebuilds it.
  return JSON.parse(renumberNamespaces(JSON.stringify(rendered)).replace(/-[A-Za-z0-9_-]{43}\.jar/g, "-<sha256>.jar"));
}

function renderTransform(t: Components["transforms"][string]) {
  const spec = t.spec ?? { urn: "", payload: new Uint8Array() };
  return {
    name: t.uniqueName,
    urn: spec.urn,
    env: t.environmentId,
    inputs: Object.values(t.inputs),
    outputs: Object.values(t.outputs),
    ...renderPayload(spec.urn, spec.payload),
  };
}

function renderPayload(urn: string, payload: Uint8Array): Record<string, unknown> {
  if (urn === "beam:transform:pardo:v1") return { doFn: ParDoPayload.fromBinary(payload).doFn?.urn };
  if (urn === "beam:transform:pubsub_read:v1") {
    const names = [
      "",
      "topic",
      "subscription",
      "timestampAttribute",
      "idAttribute",
      "withAttributes",
      "topicRuntimeOverridden",
      "subscriptionRuntimeOverridden",
    ];
    return { payload: decodeFlatProto(payload, names) };
  }
  return {};
}

/** A message of scalar fields (strings, varints) → {name: value}, by field number. */
export function decodeFlatProto(bytes: Uint8Array, names: string[]): Record<string, unknown> {
  const reader = Reader.create(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const name = names[tag >>> 3] ?? `field${tag >>> 3}`;
    if ((tag & 7) === 0) out[name] = reader.uint32();
    else if ((tag & 7) === 2) out[name] = reader.string();
    else reader.skipType(tag & 7);
  }
  return out;
}

function renderCoder(c: Components, id: string): string {
  const coder = c.coders[id];
  const spec = coder.spec ?? { urn: "", payload: new Uint8Array() };
  if (spec.urn === "beam:coder:row:v1") return `row(${renderSchema(Schema.fromBinary(spec.payload))})`;
  const parts = coder.componentCoderIds.map((cid) => renderCoder(c, cid));
  return parts.length ? `${spec.urn}(${parts.join(", ")})` : spec.urn;
}

export function renderSchema(schema: Schema): string {
  return schema.fields.map((f) => `${f.name}: ${renderFieldType(f.type)}`).join(", ");
}

function renderFieldType(type: FieldType | undefined): string {
  if (!type) return "?";
  const info = type.typeInfo;
  const base =
    info.oneofKind === "atomicType"
      ? AtomicType[info.atomicType]
      : info.oneofKind === "logicalType"
        ? info.logicalType.urn
        : info.oneofKind === "rowType"
          ? `row(${renderSchema(info.rowType.schema ?? Schema.create())})`
          : info.oneofKind === "arrayType"
            ? `array(${renderFieldType(info.arrayType.elementType)})`
            : String(info.oneofKind);
  return type.nullable ? `${base}?` : base;
}

function renderEnvironment(env: Components["environments"][string]) {
  const container =
    env.urn === "beam:env:docker:v1" ? decodeFlatProto(env.payload, ["", "containerImage"]).containerImage : undefined;
  const dependencies = env.dependencies.map((d) => ({
    type: d.typeUrn,
    role: d.roleUrn,
    ...(d.roleUrn.includes("staging_to") ? decodeFlatProto(d.rolePayload, ["", "stagedName"]) : {}),
  }));
  return { urn: env.urn, ...(container ? { container } : {}), dependencies };
}

function renumberNamespaces(text: string): string {
  const seen = new Map<string, string>();
  return text.replace(/namespace_\d+_/g, (ns) => {
    if (!seen.has(ns)) seen.set(ns, `expansion${seen.size}_`);
    return seen.get(ns) as string;
  });
}

/** The configuration row a SchemaTransformPayload carries, decoded by the schema it carries. */
export function renderSchemaTransformPayload(payload: Uint8Array): {
  identifier: string;
  schema: string;
  config: Record<string, unknown>;
} {
  const reader = Reader.create(payload);
  let identifier = "";
  let schema = Schema.create();
  let row: Uint8Array = new Uint8Array();
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) identifier = reader.string();
    else if (tag >>> 3 === 2) schema = Schema.fromBinary(reader.bytes());
    else if (tag >>> 3 === 3) row = reader.bytes();
    else reader.skipType(tag & 7);
  }
  return { identifier, schema: renderSchema(schema), config: new PortableRowCoder(schema).decode(Reader.create(row)) };
}
