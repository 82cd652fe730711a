/** Jest runs TypeScript sources through swc; pipelines run on the Beam DirectRunner in-process. */

// Packages that ship only ES modules: jest's require cannot load them on Node 20 (nor a native `import()` of them without
// --experimental-vm-modules), so swc turns them into CommonJS. hyparquet is ours; node-fetch 3 and its dependencies
// come with @google-cloud/bigquery's teeny-request, which imports node-fetch dynamically.
const esmOnly = [
  "hyparquet",
  "hyparquet-compressors",
  "hysnappy",
  "fzstd",
  "teeny-request",
  "node-fetch",
  "fetch-blob",
  "data-uri-to-buffer",
  "formdata-polyfill",
  "web-streams-polyfill",
  "node-domexception",
].join("|");

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
    [`^.+/node_modules/(${esmOnly})/.+\\.js$`]: [
      "@swc/jest",
      { jsc: { target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  // Jest realms break fast-deep-equal's Uint8Array check, which Beam uses to compare coder output.
  moduleNameMapper: { "^fast-deep-equal$": "<rootDir>/test/support/fast-deep-equal-shim.js" },
  // Istanbul instrumentation rewrites functions that Beam serializes; v8 coverage does not.
  coverageProvider: "v8",
  testTimeout: 120000,
  // After a Flink stream run that met the known reader stall (docs/dataflow.md "Known limits") and was rerun, the
  // cancelled job's LOOPBACK worker leaves gRPC handles open and jest, which runs in band on 2 cores, would wait for
  // them forever: once every test has finished and reported, exit instead of hanging CI.
  forceExit: true,
};
