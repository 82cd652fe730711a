import * as fs from "fs";
import * as path from "path";
import { eventsSpec } from "../../io/gcp/bigquery/bigquery-tables";
import { keepFreshEvents, writeEventFiles } from "../../io/gcp/bigquery/bigquery-stage-files";
import { loadContract } from "../../schemas/load";
import { tempDir } from "../support/temp";

describe("writeEventFiles + keepFreshEvents: the staged events read once for the load and the fresh events", () => {
  const contract = loadContract("flights");
  const fields = eventsSpec(contract).fields;
  const lineage = { _source: "file:///in.jsonl:1", _run_id: "r1", _ingested_at: "2001-02-01T00:00:00.000Z" };
  const flight = { delay: 5, distance: 100, origin: "LAS", destination: "PHL" };
  // As the pipeline stages them (ISO text), and as a hand-built chunk may (epoch ms, an extra column).
  const rendered = { event_id: "e1", date: "2001-01-01T01:00:00.000Z", ...flight, ...lineage };
  const epoch = { event_id: "e2", date: 978310800000, ...flight, ...lineage, extra: 1 };
  let temp: { dir: string; cleanup: () => void };
  const file = (name: string) => path.join(temp.dir, name);
  const lines = (name: string) => fs.readFileSync(file(name), "utf8");
  beforeEach(() => void (temp = tempDir("bq-stage-files")));
  afterEach(() => temp.cleanup());

  const write = () => {
    fs.writeFileSync(file("staged.jsonl"), `${JSON.stringify(rendered)}\n\n${JSON.stringify(epoch)}\n`);
    return writeEventFiles(contract, fields, file("staged.jsonl"), file("load.jsonl"), file("fresh.jsonl"));
  };

  it("writes a row already in load form as its own text, converts the others, and takes every row as fresh", () => {
    const written = write();
    expect(written).toEqual({ rows: 2, ids: ["e1", "e2"] });
    const { extra: _, ...loaded } = { ...epoch, date: "2001-01-01T01:00:00.000Z" };
    expect(lines("load.jsonl")).toBe(`${JSON.stringify(rendered)}\n${JSON.stringify(loaded)}\n`);
    const fresh = [
      { ...rendered, date: 978310800000 },
      { ...epoch, date: 978310800000 },
    ];
    expect(lines("fresh.jsonl")).toBe(fresh.map((row) => `${JSON.stringify(row)}\n`).join(""));
    expect(keepFreshEvents(file("fresh.jsonl"), written, new Set())).toBe(2);
    expect(lines("fresh.jsonl")).toBe(fresh.map((row) => `${JSON.stringify(row)}\n`).join(""));
  });

  it("drops the rows found present from the fresh events, by position", () => {
    const written = write();
    expect(keepFreshEvents(file("fresh.jsonl"), written, new Set(["e1"]))).toBe(1);
    expect(lines("fresh.jsonl")).toBe(`${JSON.stringify({ ...epoch, date: 978310800000 })}\n`);
    expect(fs.readdirSync(temp.dir).sort()).toEqual(["fresh.jsonl", "load.jsonl", "staged.jsonl"]);
  });

  it("leaves both files empty for an empty chunk", () => {
    fs.writeFileSync(file("staged.jsonl"), "");
    const written = writeEventFiles(contract, fields, file("staged.jsonl"), file("load.jsonl"), file("fresh.jsonl"));
    expect(written).toEqual({ rows: 0, ids: [] });
    expect([lines("load.jsonl"), lines("fresh.jsonl")]).toEqual(["", ""]);
  });
});
