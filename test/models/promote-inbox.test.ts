/**
 * The promotion inbox of a DuckDB warehouse, on real files with an injected clock: a request is taken once, a stale
 * one is removed unread, names outside the inbox's own are never followed, and a promotion handed to a job ends as a
 * direct promotion ends (its result, the gate's refusal with exit 10, or — no job taking it — the busy error, exit 9,
 * with the request withdrawn).
 */
import * as fs from "fs";
import * as path from "path";
import { exitCodeOf } from "../../errors/rox-error";
import { WarehouseBusyError } from "../../io/errors";
import { ModelNotFoundError, PromotionRefusedError } from "../../launcher/models/errors";
import type { PromoteResult } from "../../launcher/models/promote";
import { inboxOf, PromoteInbox } from "../../launcher/models/promote-inbox";
import { handPromotion, servePromotions, type Promotion } from "../../launcher/models/promote-local";
import { tempDir } from "../support/temp";

let work: ReturnType<typeof tempDir>;
beforeEach(() => (work = tempDir("promote-inbox")));
afterEach(() => work.cleanup());

/** A clock the test moves. */
function clock(start = Date.parse("2026-12-03T12:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const ASK = { ref: "flights-delay@2", alias: "champion", force: false };

function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** What a registry gives back for a promotion: the shape `promoteModel` returns, made from the request. */
function resultOf(p: Promotion): PromoteResult {
  const model = (version: number, aliases: string[]) => ({
    name: "flights-delay",
    version,
    uri: `/models/flights-delay/${version}`,
    schema: "flights",
    schemaVersion: 1,
    registeredAt: "2026-12-03T11:00:00.000Z",
    aliases,
    sha256: "ab".repeat(32),
    metrics: null,
  });
  return { model: model(2, [p.alias]), alias: p.alias, previous: model(1, []), forced: p.force };
}

test("the inbox sits next to the warehouse file", () => {
  expect(inboxOf(path.join(work.dir, "w.duckdb"))).toBe(path.join(work.dir, "w.duckdb.inbox"));
});

test("a request is taken once: the first take claims it, the next (or another job's) finds nothing", () => {
  const dir = inboxOf(path.join(work.dir, "w.duckdb"));
  const t = clock();
  const requester = new PromoteInbox(dir, { now: t.now });
  const request = requester.request(ASK, 60_000);
  expect(filesIn(dir)).toEqual([`${request.id}.request.json`]);
  expect(request).toMatchObject({ ...ASK, pid: process.pid, requestedAt: t.now(), expiresAt: t.now() + 60_000 });

  const job = new PromoteInbox(dir, { now: t.now });
  const other = new PromoteInbox(dir, { now: t.now });
  expect(job.take()).toEqual([request]);
  expect(job.take()).toEqual([]);
  expect(other.take()).toEqual([]);
  expect(filesIn(dir)).toEqual([`${request.id}.taken.json`]);
  expect(requester.withdraw(request.id)).toBe(false); // taken: too late to withdraw, the outcome is on its way

  expect(requester.outcome(request.id)).toBeUndefined();
  job.answer(request, { status: "refused", message: "no" });
  expect(filesIn(dir)).toEqual([`${request.id}.outcome.json`]);
  expect(requester.outcome(request.id)).toEqual({ status: "refused", message: "no" });
  expect(filesIn(dir)).toEqual([]);
});

test("requests are taken oldest first; one withdrawn before the job looks is not taken", () => {
  const dir = path.join(work.dir, "inbox");
  const t = clock();
  const inbox = new PromoteInbox(dir, { now: t.now });
  const first = inbox.request(ASK, 60_000);
  t.advance(5);
  const withdrawn = inbox.request({ ...ASK, alias: "canary" }, 60_000);
  t.advance(5);
  const last = inbox.request({ ...ASK, force: true }, 60_000);
  expect(inbox.withdraw(withdrawn.id)).toBe(true);
  expect(inbox.take().map((r) => r.id)).toEqual([first.id, last.id]);
});

test("a stale request (past its wait) is removed unread; outcomes and claims nobody came back for go after a grace", () => {
  const dir = path.join(work.dir, "inbox");
  const t = clock();
  const inbox = new PromoteInbox(dir, { now: t.now, graceMs: 10_000 });
  const left = inbox.request(ASK, 1_000);
  const answered = inbox.request(ASK, 1_000);
  const claimed = inbox.request(ASK, 1_000);
  const fresh = inbox.request(ASK, 5_000);
  expect(
    inbox
      .take()
      .map((r) => r.id)
      .sort(),
  ).toEqual([left.id, answered.id, claimed.id, fresh.id].sort());
  inbox.answer(answered, { status: "refused", message: "no" }); // its requester never reads it
  const again = inbox.request(ASK, 1_000);
  t.advance(1_001);
  expect(inbox.take()).toEqual([]);
  expect(filesIn(dir)).not.toContain(`${again.id}.request.json`);
  expect(filesIn(dir).sort()).toEqual(
    [
      `${answered.id}.outcome.json`,
      `${claimed.id}.taken.json`,
      `${fresh.id}.taken.json`,
      `${left.id}.taken.json`,
    ].sort(),
  );
  t.advance(10_000); // past expiresAt + grace for the 1 s ones, not for the 5 s one
  inbox.take();
  expect(filesIn(dir)).toEqual([`${fresh.id}.taken.json`]);
});

test("names: only the inbox's own are read; links, folders, strangers and a body naming another id are not taken", () => {
  const dir = path.join(work.dir, "inbox");
  fs.mkdirSync(dir);
  const t = clock();
  const inbox = new PromoteInbox(dir, { now: t.now });
  const outside = path.join(work.dir, "outside.request.json");
  const body = { ...ASK, id: "outside", pid: 1, requestedAt: t.now(), expiresAt: t.now() + 60_000 };
  fs.writeFileSync(outside, JSON.stringify(body));
  fs.symlinkSync(outside, path.join(dir, "outside.request.json"));
  fs.mkdirSync(path.join(dir, "folder.request.json"));
  fs.writeFileSync(path.join(dir, "UPPER.request.json"), JSON.stringify({ ...body, id: "UPPER" }));
  fs.writeFileSync(path.join(dir, "notes.txt"), "hello");
  fs.writeFileSync(path.join(dir, "other.request.json"), JSON.stringify({ ...body, id: "../../other" }));
  fs.writeFileSync(path.join(dir, "broken.request.json"), "{not json");

  expect(inbox.take()).toEqual([]);
  expect(JSON.parse(fs.readFileSync(outside, "utf8"))).toEqual(body); // the link's target is never touched
  expect(filesIn(dir)).toEqual(["UPPER.request.json", "folder.request.json", "notes.txt"]);
  expect(() => inbox.withdraw("../outside")).toThrow("not a promotion request id");
  expect(() => inbox.outcome("a/b")).toThrow("not a promotion request id");
  expect(fs.existsSync(outside)).toBe(true);
});

describe("handing a promotion to the job that holds the warehouse", () => {
  const busy = new WarehouseBusyError("/w/warehouse.duckdb", 4242);

  /** A wait whose sleeps move the clock, and let a "job" (the same inbox folder, another handle) look in between. */
  function waiting(dir: string, job?: (inbox: PromoteInbox) => Promise<unknown>) {
    const t = clock();
    const jobInbox = new PromoteInbox(dir, { now: t.now });
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      t.advance(ms);
      if (job) await job(jobInbox);
    };
    return { inbox: new PromoteInbox(dir, { now: t.now }), options: { waitMs: 1_000, busy, sleep, now: t.now } };
  }

  test("the job promotes: the requester gets the job's result", async () => {
    const dir = path.join(work.dir, "inbox");
    const promoted: Promotion[] = [];
    const log: string[] = [];
    const { inbox, options } = waiting(dir, (jobInbox) =>
      servePromotions(
        jobInbox,
        async (p) => {
          promoted.push(p);
          return resultOf(p);
        },
        (l) => log.push(l),
      ),
    );
    const result = await handPromotion(inbox, { ...ASK, force: true }, options);
    expect(result).toEqual(resultOf({ ...ASK, force: true }));
    expect(promoted).toEqual([{ ...ASK, force: true, schemasDir: undefined }]);
    expect(log).toEqual([
      `promotion of flights-delay@2 to champion (--force) asked by process ${process.pid}: flights-delay@2 is champion`,
    ]);
    expect(filesIn(dir)).toEqual([]);
  });

  test("the gate refuses in the job: the requester throws the same refusal (exit 10)", async () => {
    const dir = path.join(work.dir, "inbox");
    const gate = "flights-delay@2 does not beat the champion @1 on its 9 held-out rows (MAE 3.000 vs 2.000)";
    const { inbox, options } = waiting(dir, (jobInbox) =>
      servePromotions(
        jobInbox,
        async () => {
          throw new PromotionRefusedError(gate);
        },
        () => undefined,
      ),
    );
    const error = await handPromotion(inbox, ASK, options).catch((e: Error) => e);
    expect(error).toBeInstanceOf(PromotionRefusedError);
    expect((error as Error).message).toBe(gate);
    expect(exitCodeOf(error)).toBe(10);
  });

  test("another typed error in the job keeps its kind (a model that does not exist: exit 3)", async () => {
    const dir = path.join(work.dir, "inbox");
    const { inbox, options } = waiting(dir, (jobInbox) =>
      servePromotions(
        jobInbox,
        async () => {
          throw new ModelNotFoundError("no version 7 of flights-delay");
        },
        () => undefined,
      ),
    );
    const error = await handPromotion(inbox, { ...ASK, ref: "flights-delay@7" }, options).catch((e: Error) => e);
    expect(error).toMatchObject({ kind: "input", message: "no version 7 of flights-delay" });
    expect(exitCodeOf(error)).toBe(3);
  });

  test("no job takes it within the wait: the busy error says so (exit 9) and the request is withdrawn", async () => {
    const dir = path.join(work.dir, "inbox");
    const { inbox, options } = waiting(dir);
    const error = await handPromotion(inbox, ASK, options).catch((e: Error) => e);
    expect(error).toMatchObject({
      name: "PromotionNotTakenError",
      message:
        "another job holds /w/warehouse.duckdb (process 4242), and no running job took the promotion within 1 s " +
        "(only rox stream --score takes them): run again when it has finished",
    });
    expect(exitCodeOf(error)).toBe(9);
    expect(filesIn(dir)).toEqual([]);
  });

  test("a request the job took as the wait ran out is still answered within a second wait", async () => {
    const dir = path.join(work.dir, "inbox");
    let looks = 0;
    const { inbox, options } = waiting(dir, async (jobInbox) => {
      looks++;
      if (looks === 10) jobInbox.take(); // the last look of the first wait: taken, not yet answered
      if (looks === 12)
        for (const id of filesIn(dir).map((f) => f.replace(/\.taken\.json$/, "")))
          jobInbox.answer({ ...ASK, id, pid: 1, requestedAt: 0, expiresAt: 0 }, { status: "refused", message: "x" });
    });
    const error = await handPromotion(inbox, ASK, options).catch((e: Error) => e);
    expect(error).toMatchObject({ name: "PromotionRefusedError", message: "x" });
    expect(looks).toBe(12);
  });
});
