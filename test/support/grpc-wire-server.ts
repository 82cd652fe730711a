import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

/**
 * An in-test gRPC server for a Google API, built from the .proto files the official client library ships (no emulator
 * exists for Dataflow, Cloud Scheduler or Vertex AI). It records every request as the server decoded it, so a test
 * runs the real client against it and asserts the exact request on the wire.
 */
export interface WireServer {
  /** `127.0.0.1:<port>` */
  address: string;
  port: number;
  /** Every request received, in order: the method name and the decoded message (proto field names, enums as strings, longs as strings). */
  requests: { method: string; request: Record<string, unknown> }[];
  stop(): Promise<void>;
}

/** What a handler returns: the response message, or a gRPC status error to send. */
export type WireHandler = (request: Record<string, unknown>) => Record<string, unknown> | WireFailure;

export class WireFailure {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {}
}

export interface WireServerSpec {
  /** The client package's proto root, e.g. `node_modules/@google-cloud/dataflow/build/protos`. */
  protoRoot: string;
  /** The file declaring the service, relative to the root: `google/dataflow/v1beta3/templates.proto`. */
  protoFile: string;
  /** Fully qualified service name: `google.dataflow.v1beta3.FlexTemplatesService`. */
  service: string;
  /** By RPC name; a method without a handler answers UNIMPLEMENTED (and is still recorded). */
  handlers: Record<string, WireHandler>;
  /** Other services of the same API on the same server (one client endpoint), their RPCs in `handlers` too. */
  moreServices?: { protoFile: string; service: string }[];
}

/** The common Google protos (longrunning, rpc, api annotations) the service protos import. */
const GAX_PROTOS = path.join(
  require.resolve("google-gax").replace(/build[\\/]src[\\/]index\.js$/, ""),
  "build",
  "protos",
);

export async function startWireServer(spec: WireServerSpec): Promise<WireServer> {
  const requests: WireServer["requests"] = [];
  const server = new grpc.Server();
  for (const one of [spec, ...(spec.moreServices ?? [])]) {
    const serviceDef = loadService(spec.protoRoot, one.protoFile, one.service);
    server.addService(serviceDef, implementationOf(serviceDef, spec.handlers, requests));
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    port,
    requests,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

function loadService(protoRoot: string, protoFile: string, name: string): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(path.join(protoRoot, protoFile), {
    includeDirs: [protoRoot, GAX_PROTOS],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: false,
  });
  return lookup(grpc.loadPackageDefinition(definition), name).service as grpc.ServiceDefinition;
}

function implementationOf(
  serviceDef: grpc.ServiceDefinition,
  handlers: Record<string, WireHandler>,
  requests: WireServer["requests"],
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(serviceDef)) {
    const rpcName = (serviceDef[method] as grpc.MethodDefinition<unknown, unknown>).path.split("/").pop()!;
    implementation[method] = (
      call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      requests.push({ method: rpcName, request: call.request });
      const handler = handlers[rpcName];
      if (!handler)
        return callback({ code: grpc.status.UNIMPLEMENTED, details: `${rpcName} has no handler in this test` });
      const answer = handler(call.request);
      if (answer instanceof WireFailure) return callback({ code: answer.code, details: answer.details });
      callback(null, answer);
    };
  }
  return implementation;
}

function lookup(root: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  let node: unknown = root;
  for (const part of name.split(".")) node = (node as Record<string, unknown>)?.[part];
  if (typeof node !== "function") throw new Error(`service ${name} is not in the loaded protos`);
  return node as grpc.ServiceClientConstructor;
}
