import type { DecodedArray, FileMetaData, SchemaTree } from "hyparquet" with { "resolution-mode": "import" };
import type { ColumnDecoder } from "hyparquet/src/types.js" with { "resolution-mode": "import" };
import type { ByteSource } from "./byte-source";
import { parquetModules } from "./parquet-modules";

/** One row group decoded column by column; rows are built from it one at a time. */
export interface ParquetRowGroup {
  names: string[];
  columns: DecodedArray[];
  rows: number;
}

export type ParquetRowGroupRead = { ok: true; group: ParquetRowGroup } | { ok: false; reason: string };

/**
 * Decodes a whole row group synchronously: each column chunk's bytes are read through the ByteSource and
 * handed to hyparquet's page reader (readColumn), then nested columns are assembled. Memory is one row
 * group's columns, the unit Parquet writers size for readers.
 */
export function decodeParquetRowGroup(source: ByteSource, metadata: FileMetaData, index: number): ParquetRowGroupRead {
  try {
    const tree = parquetModules().metadata.parquetSchema(metadata);
    const rows = Number(metadata.row_groups[index].num_rows);
    const leaves = readLeafColumns(source, metadata, index, tree);
    return { ok: true, group: assembleColumns(leaves, tree, rows) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Rows [from, to) of one row group, counted from its first row. */
export interface RowRange {
  from: number;
  to: number;
}

/** The group's rows as records, all of them or those of `range`. */
export function* parquetRows(group: ParquetRowGroup, range?: RowRange): Generator<Record<string, unknown>> {
  const from = Math.max(0, range?.from ?? 0);
  const to = Math.min(group.rows, range?.to ?? group.rows);
  for (let row = from; row < to; row++) {
    const record: Record<string, unknown> = {};
    for (let c = 0; c < group.names.length; c++) record[group.names[c]] = group.columns[c][row];
    yield record;
  }
}

function readLeafColumns(
  source: ByteSource,
  metadata: FileMetaData,
  index: number,
  tree: SchemaTree,
): Map<string, DecodedArray> {
  const { column, schema, convert, utils, compressors } = parquetModules();
  const rows = Number(metadata.row_groups[index].num_rows);
  const select = { groupStart: 0, selectStart: 0, selectEnd: rows, groupRows: rows };
  const leaves = new Map<string, DecodedArray>();
  for (const chunk of metadata.row_groups[index].columns) {
    const meta = chunk.meta_data;
    if (!meta || chunk.file_path) throw new Error("column chunk without inline metadata");
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const length = Number(meta.total_compressed_size);
    const bytes = source.read(start, length);
    if (bytes.length < length) throw new Error(`column ${meta.path_in_schema.join(".")} runs past the end of the file`);
    const schemaPath = schema.getTreePath(tree, meta.path_in_schema);
    const decoder: ColumnDecoder = {
      pathInSchema: meta.path_in_schema,
      element: schemaPath[schemaPath.length - 1].element,
      schemaPath,
      type: meta.type,
      codec: meta.codec,
      parsers: convert.DEFAULT_PARSERS,
      compressors,
      // BYTE_ARRAY without a STRING annotation is binary; hyparquet would decode it as UTF-8 by default.
      utf8: false,
    };
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: 0 };
    leaves.set(meta.path_in_schema.join("."), utils.flatten(column.readColumn(reader, select, decoder).data));
  }
  return leaves;
}

function assembleColumns(leaves: Map<string, DecodedArray>, tree: SchemaTree, rows: number): ParquetRowGroup {
  const { assemble, convert } = parquetModules();
  const names: string[] = [];
  const columns: DecodedArray[] = [];
  for (const child of tree.children) {
    const name = child.element.name;
    if (child.children.length > 0) assemble.assembleNested(leaves, child, convert.DEFAULT_PARSERS);
    const values = leaves.get(name);
    if (!values || values.length !== rows)
      throw new Error(`column ${name} has ${values?.length ?? 0} values, the row group ${rows} rows`);
    names.push(name);
    columns.push(values);
  }
  return { names, columns, rows };
}
