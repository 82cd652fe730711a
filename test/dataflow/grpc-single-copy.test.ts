import * as path from "path";

// The SDK makes gRPC credentials with the @grpc/grpc-js it resolves and hands them to @protobuf-ts/grpc-transport,
// which resolves its own: two copies fail every expansion, job-service and worker channel with "Channel credentials
// must be a ChannelCredentials object". package.json's `overrides` keeps one copy; this fails if the tree drifts.
test("the Beam SDK, its gRPC transport and the project resolve the same @grpc/grpc-js", () => {
  const sdkDir = path.dirname(require.resolve("apache-beam/pvalue"));
  const transportDir = path.dirname(require.resolve("@protobuf-ts/grpc-transport", { paths: [sdkDir] }));
  const fromSdk = require.resolve("@grpc/grpc-js", { paths: [sdkDir] });
  expect(require.resolve("@grpc/grpc-js", { paths: [transportDir] })).toBe(fromSdk);
  expect(require.resolve("@grpc/grpc-js")).toBe(fromSdk);
});
