/**
 * The house's layering as ESLint rules: each rule forbids some imports in the files its config block names (the
 * block's `files`/`ignores` say where; eslint.config.mjs lists every contract and every recorded exception). One
 * implementation, registered under one name per contract, so each contract has its own file selection.
 *
 * Forbidden can be packages (`apache-beam` and its subpaths), package scopes (`@google-cloud`), Node built-ins (`fs`,
 * also as `node:fs` and `fs/promises`) and folders of this project (`launcher`, resolved from relative imports).
 * Every kind of import counts: `import`, `export … from`, `require()`, `import()` (unless `allowLazyImports`), and
 * `import type` and `typeof import("…")` (unless `allowTypeImports`).
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** @typedef {{ packages?: string[], scopes?: string[], builtins?: string[], folders?: string[] }} Forbidden */

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** What `specifier` (imported from `file`) is, in the terms of `Forbidden`, if it is forbidden; else undefined. */
function forbiddenBy(specifier, file, forbidden) {
  if (specifier.startsWith(".")) {
    const target = path
      .relative(ROOT, path.resolve(path.dirname(file), specifier))
      .split(path.sep)
      .join("/");
    return (forbidden.folders ?? []).find((folder) => target === folder || target.startsWith(`${folder}/`));
  }
  const bare = specifier.replace(/^node:/, "");
  const name = packageName(bare);
  if ((forbidden.builtins ?? []).includes(name)) return name;
  if ((forbidden.packages ?? []).includes(name)) return name;
  return (forbidden.scopes ?? []).find((scope) => name.startsWith(`${scope}/`));
}

const forbiddenImports = {
  meta: {
    type: "problem",
    docs: { description: "Forbids imports that would cross one of the house's layers." },
    schema: [
      {
        type: "object",
        properties: {
          packages: { type: "array", items: { type: "string" } },
          scopes: { type: "array", items: { type: "string" } },
          builtins: { type: "array", items: { type: "string" } },
          folders: { type: "array", items: { type: "string" } },
          allowTypeImports: { type: "boolean" },
          allowLazyImports: { type: "boolean" },
          because: { type: "string" },
        },
        required: ["because"],
        additionalProperties: false,
      },
    ],
    messages: { forbidden: "{{what}} may not be imported here: {{because}}" },
  },
  create(context) {
    const options = context.options[0];
    const check = (node, specifier, typeOnly) => {
      if (typeof specifier !== "string" || (typeOnly && options.allowTypeImports)) return;
      const what = forbiddenBy(specifier, context.filename, options);
      if (what)
        context.report({
          node,
          messageId: "forbidden",
          data: { what: `"${specifier}" (${what})`, because: options.because },
        });
    };
    const typeOnlyImport = (node) =>
      node.importKind === "type" ||
      (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === "type"),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === "type"),
      ImportExpression: (node) =>
        node.source.type === "Literal" && !options.allowLazyImports && check(node, node.source.value, false),
      TSImportType: (node) => check(node, node.argument?.literal?.value ?? node.source?.value, true),
      CallExpression: (node) => {
        const [first] = node.arguments;
        if (node.callee.type === "Identifier" && node.callee.name === "require" && first?.type === "Literal")
          check(node, first.value, false);
      },
    };
  },
};

/** The plugin: the same rule under each contract's name. */
export function layersPlugin(contractNames) {
  return { rules: Object.fromEntries(contractNames.map((name) => [name, forbiddenImports])) };
}
