import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * A snippet kept in test/lint/snippets/ (not a test file): the banned early returns of a test body, which a scan of
 * the test tree for exactly that pattern must not find. The files say `$NOTE` where the banned code logs its note;
 * the console call is put in only here, when the snippet is handed to eslint.
 */
function snippet(name: string): string {
  return fs
    .readFileSync(path.join(__dirname, "snippets", `${name}.ts.txt`), "utf8")
    .replace(/\$NOTE\b/g, "console.warn");
}

// The house rules of eslint.config.mjs, tried on snippets placed where they would live: each snippet breaks exactly
// the rules listed (none: it is allowed there).
const CASES: [file: string, code: string, rules: string[]][] = [
  ["transforms/snippet.ts", `import * as fs from "fs";\nexport const f = () => fs;`, ["layers/pure-transforms"]],
  [
    "transforms/snippet.ts",
    `import type { Warehouse } from "../io/ports";\nexport type W = Warehouse;`,
    ["layers/pure-transforms"],
  ],
  ["transforms/snippet.ts", `import * as zlib from "node:zlib";\nexport const f = () => zlib;`, []],
  [
    "transforms/decode/snippet.ts",
    `import { Root } from "apache-beam/pvalue";\nexport const r = Root;`,
    ["layers/beam", "layers/pure-transforms"],
  ],
  [
    "launcher/commands/snippet.ts",
    `export const s = () => import("@google-cloud/storage");`,
    ["layers/google-clients"],
  ],
  ["launcher/dataflow/clients.ts", `export const s = () => import("@google-cloud/dataflow");`, []],
  [
    "io/gcp/snippet.ts",
    `import { Storage } from "@google-cloud/storage";\nexport const s = Storage;`,
    ["layers/google-clients-lazy"],
  ],
  [
    "io/gcp/snippet.ts",
    `import type { Storage } from "@google-cloud/storage";\nexport const s = async (): Promise<Storage> => new (await import("@google-cloud/storage")).Storage();`,
    [],
  ],
  [
    "io/local/snippet.ts",
    `import { requireForSerialization } from "apache-beam/serialization";\nexport const r = requireForSerialization;`,
    ["layers/beam"],
  ],
  [
    "io/local/beam-snippet.ts",
    `import { requireForSerialization } from "apache-beam/serialization";\nexport const r = requireForSerialization;`,
    [],
  ],
  [
    "pipelines/snippet.ts",
    `import { exitCodeOf } from "../launcher/errors";\nexport const e = exitCodeOf;`,
    ["layers/no-launcher-below"],
  ],
  [
    "pipelines/snippet.ts",
    `export const e = () => require("../launcher/errors");`,
    ["@typescript-eslint/no-require-imports", "layers/no-launcher-below"],
  ],
  ["test/snippet.test.ts", snippet("skip-returning-a-warning"), ["no-restricted-syntax", "no-restricted-syntax"]],
  ["test/snippet.test.ts", snippet("skip-warning-then-return"), ["no-restricted-syntax"]],
  [
    "test/snippet.test.ts",
    `declare const e: unknown;\nit("t", () => {\n  if (!e) return;\n  expect(e).toBe(1);\n});`,
    ["no-restricted-syntax"],
  ],
  [
    "test/snippet.test.ts",
    `declare const e: number[];\nit("t", () => {\n  for (const x of e) if (x > 1) expect(x).toBe(2);\n});\nbeforeAll(() => {\n  if (!e) return;\n});`,
    [],
  ],
];

test("each layering and test rule fires where it should, and only there", () => {
  const input = JSON.stringify(CASES.map(([file, code]) => ({ file, code })));
  const run = spawnSync(process.execPath, [path.join(__dirname, "lint-snippets.mjs")], {
    cwd: path.resolve(__dirname, "..", ".."),
    input,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(run.stderr).toBe("");
  const broken = JSON.parse(run.stdout) as string[][];
  expect(CASES.map(([file, code], i) => ({ file, code, rules: broken[i].sort() }))).toStrictEqual(
    CASES.map(([file, code, rules]) => ({ file, code, rules })),
  );
}, 120_000);
