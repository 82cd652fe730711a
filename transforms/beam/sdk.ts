/**
 * The parts of the Beam TS SDK the pipelines use. The SDK's root module re-exports its IO, which loads
 * `@google-cloud/pubsub` (and gRPC) on import; going through the submodules keeps the local path free of Google
 * clients. pvalue comes first: importing the runner before it hits a circular import inside the SDK.
 */
export * from "apache-beam/pvalue";
export * from "apache-beam/transforms";
export * from "apache-beam/values";
export { groupByKey } from "apache-beam/transforms/internal";
