import * as beam from "../../transforms/beam/sdk";
import { rawExternalTransform } from "apache-beam/transforms/external";
import { serviceProviderFromJavaGradleTarget } from "apache-beam/utils/service";
import { Schema } from "apache-beam/proto/schema";
import { Writer } from "protobufjs";
import { GCP_EXPANSION_SERVICE_TARGET } from "../beam-services";
import { PortableRowCoder } from "./row-coder";

/** The expansion request URN for a Java SchemaTransform named by its identifier (Java's ExpansionService, 2.49.0). */
export const SCHEMA_TRANSFORM_URN = "beam:expansion:payload:schematransform:v1";

export interface SchemaTransformConfig {
  /** Fields in the order the provider's configuration schema has them (the service decodes by its own schema). */
  schema: Schema;
  row: Record<string, unknown>;
}

/**
 * `SchemaTransformPayload { identifier = 1; configuration_schema = 2; configuration_row = 3 }`, encoded by hand: the
 * SDK (2.49.0) ships no generated type for it and its RowCoder cannot encode every configuration type.
 */
export function schemaTransformPayload(identifier: string, config: SchemaTransformConfig): Uint8Array {
  const row = Writer.create();
  new PortableRowCoder(config.schema).encode(config.row, row);
  return Writer.create()
    .uint32((1 << 3) | 2)
    .string(identifier)
    .uint32((2 << 3) | 2)
    .bytes(Schema.toBinary(config.schema))
    .uint32((3 << 3) | 2)
    .bytes(row.finish())
    .finish();
}

/** A Java SchemaTransform of the GCP IO expansion service, applied to named Row inputs; outputs by their Java tags. */
export function gcpSchemaTransform<InputT extends beam.PValue<unknown>, OutputT extends beam.PValue<unknown>>(
  name: string,
  identifier: string,
  config: SchemaTransformConfig,
) {
  const payload = schemaTransformPayload(identifier, config);
  const service = serviceProviderFromJavaGradleTarget(GCP_EXPANSION_SERVICE_TARGET);
  return beam.withName(
    name,
    rawExternalTransform<InputT, OutputT>(SCHEMA_TRANSFORM_URN, payload, service, { inferPValueType: false }),
  );
}
