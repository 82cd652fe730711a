/** Jest runs TypeScript sources through swc; pipelines run on the Beam DirectRunner in-process. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }],
    // hyparquet ships only ES modules; jest's require cannot load them on Node 20, so swc turns them into CommonJS.
    "^.+/node_modules/(hyparquet|hyparquet-compressors|hysnappy|fzstd)/.+\\.js$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(hyparquet|hyparquet-compressors|hysnappy|fzstd)/)"],
  // Jest realms break fast-deep-equal's Uint8Array check, which Beam uses to compare coder output.
  moduleNameMapper: { "^fast-deep-equal$": "<rootDir>/test/support/fast-deep-equal-shim.js" },
  // Istanbul instrumentation rewrites functions that Beam serializes; v8 coverage does not.
  coverageProvider: "v8",
  testTimeout: 120000,
};
