/** Writes `select` to a Parquet file with DuckDB (tests only; the readers never touch DuckDB). */
export async function writeParquetFile(path: string, select: string, options = "COMPRESSION snappy"): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(`COPY (${select}) TO '${path.replace(/'/g, "''")}' (FORMAT parquet, ${options})`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows with every kind of column the readers must turn into plain values. */
export const MIXED_ROWS_SQL = `
  SELECT i AS id,
         'name ' || i AS name,
         CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END AS score,
         TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS at,
         DATE '2024-03-01' + (i % 10)::INTEGER AS day,
         9007199254740993::BIGINT + i AS big,
         {'a': i, 'tags': ['x', 'y']} AS nested,
         [i, i + 1] AS pair,
         ('\\x01'::BLOB) AS raw
  FROM range(ROWS) t(i)`;
