import { requireEsm } from "./esm-modules";

/** The synchronous building blocks of hyparquet; its public read API (parquetRead & co.) is async. */
export interface ParquetModules {
  column: typeof import("hyparquet/src/column.js", { with: { "resolution-mode": "import" } });
  metadata: typeof import("hyparquet/src/metadata.js", { with: { "resolution-mode": "import" } });
  schema: typeof import("hyparquet/src/schema.js", { with: { "resolution-mode": "import" } });
  convert: typeof import("hyparquet/src/convert.js", { with: { "resolution-mode": "import" } });
  assemble: typeof import("hyparquet/src/assemble.js", { with: { "resolution-mode": "import" } });
  utils: typeof import("hyparquet/src/utils.js", { with: { "resolution-mode": "import" } });
  compressors: (typeof import("hyparquet-compressors", { with: { "resolution-mode": "import" } }))["compressors"];
}

let loaded: ParquetModules | undefined;

/** Loaded on first use, so reading text files never pays for (or trips over) the ES-module-only packages. */
export function parquetModules(): ParquetModules {
  loaded ??= {
    column: requireEsm("hyparquet/src/column.js"),
    metadata: requireEsm("hyparquet/src/metadata.js"),
    schema: requireEsm("hyparquet/src/schema.js"),
    convert: requireEsm("hyparquet/src/convert.js"),
    assemble: requireEsm("hyparquet/src/assemble.js"),
    utils: requireEsm("hyparquet/src/utils.js"),
    compressors: requireEsm<{ compressors: ParquetModules["compressors"] }>("hyparquet-compressors").compressors,
  };
  return loaded;
}
