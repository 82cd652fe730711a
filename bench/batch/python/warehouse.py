"""Staged row files -> DuckDB tables: the load-job half of the batch job.

The tables copy the layout the TypeScript job creates (schemas/tables.ts + schemas/duckdb.ts for flights.avsc):
same names, columns, types and keys, so both jobs do the same load work. Times arrive as ISO-8601 UTC text."""
import glob
import os

import duckdb

DDL = {
    "flights": """CREATE TABLE IF NOT EXISTS flights (
  event_id VARCHAR NOT NULL, date TIMESTAMPTZ NOT NULL, delay INTEGER NOT NULL, distance INTEGER NOT NULL,
  origin VARCHAR NOT NULL, destination VARCHAR NOT NULL,
  hour_of_day INTEGER, day_of_week INTEGER, route VARCHAR, is_delayed BOOLEAN,
  _source VARCHAR NOT NULL, _run_id VARCHAR NOT NULL, _ingested_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (event_id))""",
    "flights_origin_hourly": """CREATE TABLE IF NOT EXISTS flights_origin_hourly (
  origin VARCHAR NOT NULL, window_start TIMESTAMPTZ NOT NULL, window_end TIMESTAMPTZ NOT NULL,
  flights BIGINT, mean_delay DOUBLE, max_delay INTEGER, delayed_share DOUBLE, _updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (origin, window_start))""",
    "dead_letters": """CREATE TABLE IF NOT EXISTS dead_letters (
  "timestamp" TIMESTAMPTZ NOT NULL, payloadString VARCHAR, payloadBytes BLOB, attributes VARCHAR,
  errorMessage VARCHAR NOT NULL, stacktrace VARCHAR, errorStage VARCHAR NOT NULL, errorClass VARCHAR NOT NULL,
  sourceUri VARCHAR NOT NULL, sourceLine BIGINT, messageId VARCHAR, attempt BIGINT NOT NULL,
  schemaName VARCHAR NOT NULL, jobName VARCHAR NOT NULL, runId VARCHAR NOT NULL)""",
}
# Keyed tables are upserted (a rerun replaces its rows); dead letters are appended.
INSERT = {"flights": "INSERT OR REPLACE", "flights_origin_hourly": "INSERT OR REPLACE", "dead_letters": "INSERT"}
SUFFIX = ".jsonl"


def staged_prefix(staging, table):
    return os.path.join(staging, table)


def staged_files(staging, table):
    # WriteToText names shards "<prefix>-00000-of-00001<suffix>"; the dash keeps "flights" from matching
    # "flights_origin_hourly".
    return sorted(glob.glob(f"{staged_prefix(staging, table)}-*{SUFFIX}"))


def clear_staging(staging):
    """Removes only this job's staged files, so a rerun never loads a previous run's shards."""
    os.makedirs(staging, exist_ok=True)
    for table in DDL:
        for path in staged_files(staging, table):
            os.remove(path)


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def column_types(connection, table):
    """read_json gets the table's own column types, so the staged text is parsed straight into them."""
    rows = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return "{" + ", ".join(f"{sql_string(name)}: {sql_string(kind)}" for name, kind in rows) + "}"


def load_statement(connection, table, files):
    files_list = "[" + ", ".join(sql_string(path) for path in files) + "]"
    return (
        f"{INSERT[table]} INTO {table} BY NAME SELECT * FROM "
        f"read_json({files_list}, format = 'newline_delimited', columns = {column_types(connection, table)})"
    )


def load_tables(database, staging):
    """Creates the tables when missing, loads each from its staged files; returns the rows loaded per table."""
    loaded = {}
    with duckdb.connect(database) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        for table, ddl in DDL.items():
            connection.execute(ddl)
            files = staged_files(staging, table)
            loaded[table] = connection.execute(load_statement(connection, table, files)).fetchone()[0] if files else 0
    return loaded
