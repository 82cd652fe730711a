/**
 * The memory limit a DuckDB warehouse runs under unless `--duckdb-memory` says otherwise. DuckDB's own default, 80% of
 * the RAM, let a long job's buffer pool grow to ~500 MB beside the JS heap; with this limit the batch job over 3M
 * flights stays under 500 MB of RSS with 2 MiB chunks (460 MB; 502–511 MB at 128MB: docs/benchmarks.md, "Memory
 * defaults"). The events table's primary-key index is buffer-managed: under the limit it is evicted to the file and
 * reloaded, not held whole in memory.
 */
export const DEFAULT_DUCKDB_MEMORY = "96MB";
