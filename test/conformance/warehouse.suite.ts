/**
 * The warehouse conformance suite, written once: every `Warehouse` implementation runs it through its test file with a
 * factory (a fresh, empty warehouse per case) and a skip list (case name → reason, printed). Rows are read back only
 * through `query`, in SQL both warehouses speak; where they differ, the target's `WarehouseDialect` says how.
 */
import * as fs from "fs";
import * as path from "path";
import type { PrepareReport, Warehouse } from "../../io/ports";
import type { JobSummary } from "../../transforms/summary";
import { describeNeeds, type Prerequisite } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { contract, summaryOf, writeChunk, type ChunkInput } from "./warehouse.chunks";
import type { WarehouseDialect } from "./warehouse.read-back";
import { layoutCases } from "./warehouse.layout";
import { chunkCases } from "./warehouse.cases";
import { replayCases } from "./warehouse.replay";
import { handleCases } from "./warehouse.handle";

export type { WarehouseDialect } from "./warehouse.read-back";

export interface WarehouseFixture {
  warehouse: Warehouse;
  dialect: WarehouseDialect;
}

export interface WarehouseSuiteOptions {
  target: string;
  /** What the target needs on this machine: without it every case is skipped, the reason printed (see prerequisites). */
  needs?: Prerequisite[];
  /** A fresh, empty warehouse. */
  open(): Promise<WarehouseFixture>;
  /** Case name → why this target skips it. */
  skip?: Record<string, string>;
  /** Registers the target's own beforeAll/afterAll (an emulator's lifecycle) inside its describe block. */
  setup?: () => void;
}

/** Context a case gets: a fresh warehouse, its dialect, a temp folder, and helpers over them. */
export interface CaseContext extends WarehouseFixture {
  dir: string;
  /** Opens one more fresh warehouse of the same target (closed after the case). */
  another(): Promise<WarehouseFixture>;
  /** Stage, prepare and commit a chunk as the jobs do (windows re-aggregated over nothing when all were present). */
  land(
    wh: Warehouse,
    input: ChunkInput,
    opts?: { replace?: boolean; summary?: Partial<JobSummary> },
  ): Promise<{ prepared: PrepareReport; fresh: string }>;
}

export type Case = (ctx: CaseContext) => Promise<void>;

/** Every case, by the name a skip list uses. */
export function conformanceCases(): Record<string, Case> {
  return { ...layoutCases, ...chunkCases, ...handleCases, ...replayCases };
}

export function warehouseConformance(options: WarehouseSuiteOptions): void {
  describeNeeds(...(options.needs ?? []))(`warehouse conformance: ${options.target}`, () => {
    options.setup?.();
    for (const [name, body] of Object.entries(conformanceCases())) {
      const reason = options.skip?.[name];
      if (reason) {
        console.warn(`warehouse conformance (${options.target}) skips "${name}": ${reason}`);
        it.skip(`${name} (skipped: ${reason})`, () => undefined);
      } else {
        it(name, () => runCase(options, name, body));
      }
    }
  });
}

async function runCase(options: WarehouseSuiteOptions, name: string, body: Case): Promise<void> {
  const opened: WarehouseFixture[] = [];
  const open = async () => {
    const fixture = await options.open();
    opened.push(fixture);
    return fixture;
  };
  const first = await open();
  const temp = tempDir("warehouse-conformance");
  let chunks = 0;
  const land: CaseContext["land"] = async (wh, input, opts = {}) => {
    const chunkDir = path.join(temp.dir, `chunk-${++chunks}`);
    const chunk = writeChunk(contract, chunkDir, input);
    const fresh = path.join(chunkDir, "fresh-events.jsonl");
    const prepared = await wh.prepareChunk(contract, chunk, fresh, { replace: opts.replace ?? false });
    try {
      // See withoutPartials: the window pass over the fresh events only, here none.
      if (prepared.report.alreadyPresent > 0)
        Object.values(chunk.windowPartials).forEach((f) => fs.writeFileSync(f, ""));
      await prepared.commit(chunk, (report) => summaryOf(input, report.eventsWritten, opts.summary));
    } finally {
      if (prepared.open) await prepared.abort();
    }
    return { prepared: prepared.report, fresh };
  };
  const another = async () => {
    const fixture = await open();
    await fixture.warehouse.ensureTables(contract);
    return fixture;
  };
  try {
    await first.warehouse.ensureTables(contract);
    await body({ ...first, dir: temp.dir, another, land });
  } finally {
    for (const fixture of opened) await fixture.warehouse.close();
    temp.cleanup();
  }
}
