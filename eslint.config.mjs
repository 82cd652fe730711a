// ESLint (flat config): typescript-eslint's recommended rules, the house's layering (lint/layers.mjs), and the rule
// that a test never passes by returning early. `npm run lint`; `.ci/run` runs it. Every exception names its reason.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layersPlugin } from "./lint/layers.mjs";

const SOURCE = ["errors", "io", "launcher", "tools", "demo", "pipelines", "transforms", "schemas", "bench"].map(
  (dir) => `${dir}/**/*.ts`,
);
const GOOGLE = { scopes: ["@google-cloud"], packages: ["google-gax", "google-auth-library"] };

/** Where the Google client libraries may be loaded: the Google adapters and the launcher's client modules. */
const GOOGLE_CLIENT_MODULES = [
  "io/gcp/**/*.ts",
  "launcher/cloud/client-options.ts",
  "launcher/dataflow/clients.ts",
  "launcher/deploy/vertex-endpoint-apply.ts",
  "launcher/models/vertex-apply.ts",
  "launcher/monitor/vertex-monitoring-apply.ts",
  "launcher/pipeline/clients.ts",
  "launcher/schedule/clients.ts",
  "launcher/train/clients.ts",
];

/** A test's (or a describe's) body: the function after the title. */
const TEST_BODY = "CallExpression[arguments.0.type=/^(Literal|TemplateLiteral)$/] > :function";

const layers = {
  files: SOURCE,
  plugins: {
    layers: layersPlugin(["google-clients", "google-clients-lazy", "beam", "no-launcher-below", "pure-transforms"]),
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".rox/**", "coverage/**", "schemas/generated/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a binding kept on purpose: an interface's unused parameter, a field left out of a rest.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Recorded: these load a module synchronously on purpose. Beam's runners are picked at run time and loaded only
    // then, as Beam's own createRunner does; hyparquet is ES-module-only and Node >= 20.19 require()s it; the SDK
    // patch script is plain CommonJS.
    files: [
      "pipelines/runner-choice.ts",
      "pipelines/flink/run-graph.ts",
      "transforms/decode/esm-modules.ts",
      "test/dataflow/template-sdk-patch.test.ts",
    ],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Recorded: the regular expression exists to find control characters in names (Google refuses them).
    files: ["io/identifiers/paths.ts"],
    rules: { "no-control-regex": "off" },
  },
  {
    // Recorded: the trainer's JSON outputs are read deep inside expectations; typing them would restate the trainer.
    files: ["test/launcher/train-local.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", exports: "writable", __dirname: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" }, // CommonJS files: require is how they import
  },

  // Layering. Google's clients only where they are wrapped, and there only lazily (the local path never loads them).
  {
    ...layers,
    ignores: GOOGLE_CLIENT_MODULES,
    rules: {
      "layers/google-clients": [
        "error",
        { ...GOOGLE, because: "Google clients live in io/gcp and the launcher's client modules only" },
      ],
    },
  },
  {
    ...layers,
    files: GOOGLE_CLIENT_MODULES,
    rules: {
      "layers/google-clients-lazy": [
        "error",
        {
          ...GOOGLE,
          allowTypeImports: true,
          allowLazyImports: true,
          because: "load Google clients with `await import()`, so nothing loads them before a cloud call",
        },
      ],
    },
  },
  // Beam lives in transforms/beam/ (the DoFn wrappers) and pipelines/ (the graphs). Recorded exception: io's
  // `beam-*.ts` files are the file adapters' Beam DoFns (read a split, a manifest, a gs:// object; append to a staged
  // file): a DoFn that reads where the data lives is the adapter's own face towards Beam, kept next to the code it
  // wraps and named `beam-*` so the rest of io/ stays Beam-free. The moves of issue 15 item 2 may give them a room.
  {
    ...layers,
    ignores: ["pipelines/**", "transforms/beam/**", "io/**/beam-*.ts"],
    rules: {
      "layers/beam": [
        "error",
        {
          packages: ["apache-beam"],
          folders: ["transforms/beam"],
          because: "Beam belongs to transforms/beam/ and pipelines/",
        },
      ],
    },
  },
  // The launcher sits on top: nothing below imports it.
  {
    ...layers,
    files: ["io/**/*.ts", "pipelines/**/*.ts", "transforms/**/*.ts", "schemas/**/*.ts", "tools/**/*.ts"],
    rules: {
      "layers/no-launcher-below": [
        "error",
        { folders: ["launcher"], because: "the launcher is the top layer; pass what it knows down as arguments" },
      ],
    },
  },
  // Pure transforms: no IO, no Beam, no clients. Codecs (zlib, avsc, hyparquet) are computation, not IO.
  {
    ...layers,
    files: ["transforms/**/*.ts"],
    ignores: ["transforms/beam/**"],
    rules: {
      "layers/pure-transforms": [
        "error",
        {
          builtins: [
            "fs",
            "child_process",
            "net",
            "http",
            "https",
            "http2",
            "dgram",
            "dns",
            "tls",
            "os",
            "readline",
            "worker_threads",
            "cluster",
          ],
          packages: ["apache-beam", "google-gax", "google-auth-library"],
          scopes: ["@google-cloud", "@duckdb", "@grpc"],
          folders: ["io", "pipelines", "launcher", "transforms/beam"],
          because: "transforms/ are pure functions: the data comes in as arguments and goes out as return values",
        },
      ],
    },
  },

  // A test that cannot run is skipped before it runs (test/support/prerequisites.ts), never passed by a body that
  // returns early.
  {
    files: ["test/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ReturnStatement > CallExpression[callee.object.name='console']",
          message:
            "A test that cannot run is it.skip with its reason (itNeeds in test/support/prerequisites.ts), never `return console.…`.",
        },
        ...[
          `${TEST_BODY} > BlockStatement > IfStatement > ReturnStatement`,
          `${TEST_BODY} > BlockStatement > IfStatement > BlockStatement > ReturnStatement`,
        ].map((selector) => ({
          selector,
          message:
            "A test body does not return early: choose it or it.skip before it runs (itNeeds in test/support/prerequisites.ts).",
        })),
      ],
    },
  },
);
