import * as fs from "fs";
import * as path from "path";
import { DEFAULT_DUCKDB_MEMORY, DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { WarehouseMemoryError } from "../../io/errors";
import { UsageError } from "../../launcher/errors";
import { main } from "../../launcher/main";
import { warehouseTarget } from "../../launcher/warehouse";
import { captureConsole } from "../support/console-capture";
import { tempDir } from "../support/temp";

// `--duckdb-memory` bounds DuckDB's buffer pool (DEFAULT_DUCKDB_MEMORY without it); spills go beside the file.
const { errors } = captureConsole();

test.each<[string, Record<string, string>, string]>([
  ["not a size", { "duckdb-memory": "lots" }, '--duckdb-memory must be a size such as 512MB or 2GB (got "lots")'],
  ["no unit", { "duckdb-memory": "512" }, "must be a size"],
  [
    "on BigQuery",
    { warehouse: "bigquery", project: "p", dataset: "d", "duckdb-memory": "1GB" },
    "--duckdb-memory applies only to a DuckDB warehouse",
  ],
])("--duckdb-memory %s is a usage error", (_name, values, message) => {
  expect(() => warehouseTarget(values)).toThrow(UsageError);
  expect(() => warehouseTarget(values)).toThrow(message);
});

test("the flag reaches the DuckDB target", () => {
  expect(warehouseTarget({ warehouse: "w.duckdb", "duckdb-memory": "1.5GB" })).toEqual({
    kind: "duckdb",
    file: "w.duckdb",
    memoryLimit: "1.5GB",
  });
});

test("DuckDB runs with the limit, and spills into a folder beside the file", async () => {
  const work = tempDir("duckdb-memory");
  try {
    const file = path.join(work.dir, "wh", "w.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, { memoryLimit: "64MB" });
    try {
      const [row] = await warehouse.query(
        "SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS spill",
      );
      // DuckDB reports the limit in binary units: 64,000,000 bytes.
      expect(row).toEqual({ memory: "61.0 MiB", spill: path.join(work.dir, "wh", ".rox-duckdb-spill") });
    } finally {
      await warehouse.close();
    }
  } finally {
    work.cleanup();
  }
});

test("without the flag DuckDB runs under the warehouse's default limit, not 80% of the RAM", async () => {
  const work = tempDir("duckdb-memory-default");
  try {
    expect(warehouseTarget({ warehouse: "w.duckdb" })).toEqual({ kind: "duckdb", file: "w.duckdb" });
    const warehouse = await DuckDbWarehouse.open(path.join(work.dir, "w.duckdb"));
    try {
      const [row] = await warehouse.query("SELECT current_setting('memory_limit') AS memory");
      // 96MB is 96,000,000 bytes: DuckDB reports 91.5 MiB.
      expect(DEFAULT_DUCKDB_MEMORY).toBe("96MB");
      expect(row).toEqual({ memory: "91.5 MiB" });
    } finally {
      await warehouse.close();
    }
  } finally {
    work.cleanup();
  }
});

test("running out of memory under the default limit names the limit and the flag", () => {
  expect(new WarehouseMemoryError(undefined).message).toBe(
    "the DuckDB warehouse ran out of memory under its default limit, 96MB: give it more (--duckdb-memory 1GB), " +
      "or run where there is more RAM; what the job committed before stays committed",
  );
});

function writeEvents(input: string): void {
  const event = (i: number) =>
    JSON.stringify({
      event_id: `e${i}`,
      date: `2001-01-01T0${i % 10}:01:00Z`,
      delay: i,
      distance: 10 + i,
      origin: "LAS",
      destination: "PHL",
    });
  fs.writeFileSync(input, Array.from({ length: 200 }, (_, i) => event(i)).join("\n") + "\n");
}

// Not much smaller: DuckDB's JSON reader alone asks for 32 MiB blocks (64MB fails with an out-of-memory error).
test("a batch job under a small limit lands every record", async () => {
  const work = tempDir("duckdb-memory-job");
  try {
    const input = path.join(work.dir, "events.jsonl");
    writeEvents(input);
    const file = path.join(work.dir, "w.duckdb");
    const code = await main([
      "batch",
      "--input",
      input,
      "--schema",
      "flights",
      "--warehouse",
      file,
      "--duckdb-memory",
      "160MB",
    ]);
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const warehouse = await DuckDbWarehouse.open(file);
    try {
      expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM flights")).toEqual([{ n: 200 }]);
    } finally {
      await warehouse.close();
    }
  } finally {
    work.cleanup();
  }
});

test("a limit too small for the job is a usage error (exit 2) that names the flag, not a crash", async () => {
  const work = tempDir("duckdb-memory-oom");
  try {
    const input = path.join(work.dir, "events.jsonl");
    writeEvents(input);
    const file = path.join(work.dir, "w.duckdb");
    const argv = ["batch", "--input", input, "--schema", "flights", "--warehouse", file, "--duckdb-memory", "64MB"];
    expect(await main(argv)).toBe(2);
    expect(errors.join("\n")).toMatch(
      /the DuckDB warehouse ran out of memory under --duckdb-memory 64MB: give it more/,
    );
  } finally {
    work.cleanup();
  }
});
