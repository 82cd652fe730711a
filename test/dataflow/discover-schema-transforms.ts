import * as grpc from "@grpc/grpc-js";
import { Reader } from "protobufjs";
import { Schema } from "apache-beam/proto/schema";

/** One entry of `DiscoverSchemaTransformResponse` (beam_expansion_api.proto): not generated in the SDK 2.49.0. */
export interface DiscoveredSchemaTransform {
  configSchema: Schema;
  inputs: string[];
  outputs: string[];
}

/** Asks a running expansion service which SchemaTransforms it serves and their configuration schemas. */
export function discoverSchemaTransforms(address: string): Promise<Map<string, DiscoveredSchemaTransform>> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const method = "/org.apache.beam.model.expansion.v1.ExpansionService/DiscoverSchemaTransform";
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method,
      () => Buffer.alloc(0),
      (bytes: Buffer) => bytes,
      {},
      (err, response) => {
        client.close();
        if (err || !response) reject(err ?? new Error("no DiscoverSchemaTransform response"));
        else resolve(decodeResponse(response));
      },
    );
  });
}

function decodeResponse(bytes: Uint8Array): Map<string, DiscoveredSchemaTransform> {
  const found = new Map<string, DiscoveredSchemaTransform>();
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2) throw new Error(`DiscoverSchemaTransform: ${reader.string()}`);
    if (tag >>> 3 !== 1) {
      reader.skipType(tag & 7);
      continue;
    }
    const entry = Reader.create(reader.bytes());
    let key = "";
    let value: DiscoveredSchemaTransform = { configSchema: Schema.create(), inputs: [], outputs: [] };
    while (entry.pos < entry.len) {
      const t = entry.uint32();
      if (t >>> 3 === 1) key = entry.string();
      else if (t >>> 3 === 2) value = decodeConfig(entry.bytes());
      else entry.skipType(t & 7);
    }
    found.set(key, value);
  }
  return found;
}

function decodeConfig(bytes: Uint8Array): DiscoveredSchemaTransform {
  const reader = Reader.create(bytes);
  const config: DiscoveredSchemaTransform = { configSchema: Schema.create(), inputs: [], outputs: [] };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) config.configSchema = Schema.fromBinary(reader.bytes());
    else if (tag >>> 3 === 2) config.inputs.push(reader.string());
    else if (tag >>> 3 === 3) config.outputs.push(reader.string());
    else reader.skipType(tag & 7);
  }
  return config;
}
