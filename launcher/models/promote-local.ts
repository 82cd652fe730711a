/**
 * `rox models promote` on a DuckDB warehouse. DuckDB lets one process open the file, so when a running job holds it
 * the promotion is handed to that job through the warehouse's inbox (`promote-inbox.ts`): `rox stream --score` takes
 * it before its next micro-batch, runs the same `promoteModel` (gate, `--force`) in its own connection, and answers.
 * No job taking it within the wait → the busy error, saying so, and the request withdrawn.
 */
import { WarehouseBusyError } from "../../io/errors";
import { RoxError } from "../../errors/rox-error";
import type { WarehouseTarget } from "../warehouse";
import { PromotionFailedInJobError, PromotionNotTakenError, PromotionRefusedError } from "./errors";
import { ALIAS, parseModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import { promoteModel, type PromoteResult } from "./promote";
import { inboxOf, PromoteInbox, type PromoteOutcome, type PromoteRequest } from "./promote-inbox";
import type { ModelRegistry } from "./registry";

export const DEFAULT_PROMOTE_WAIT_SECONDS = 60;

export interface Promotion {
  ref: string;
  alias: string;
  force: boolean;
  schemasDir?: string;
}

export interface LocalPromotion extends Promotion {
  target: Extract<WarehouseTarget, { kind: "duckdb" }>;
  store?: string;
  storageEndpoint?: string;
  /** How long to wait for a running job to take and answer the request (`--wait`, seconds). */
  waitSeconds: number;
  log: (line: string) => void;
}

/** Promotes in the warehouse when it is free; hands the promotion to the job that holds it otherwise. */
export async function promoteOnDuckDb(p: LocalPromotion): Promise<PromoteResult> {
  const { withWarehouse } = await import("../warehouse");
  let busy: WarehouseBusyError | undefined;
  const result = await withWarehouse(p.target, (warehouse) =>
    runPromotion(openRegistry(warehouse, p.target, p.store, p.storageEndpoint), p),
  ).catch((err: unknown) => {
    if (!(err instanceof WarehouseBusyError)) throw err; // only opening the file throws it: nothing was promoted
    busy = err;
  });
  if (!busy) return result!;
  const holder = busy.holderPid === undefined ? "a running job" : `the running job (process ${busy.holderPid})`;
  p.log(`${busy.file} is held: handing the promotion to ${holder}, waiting up to ${p.waitSeconds} s`);
  const inbox = new PromoteInbox(inboxOf(p.target.file));
  return handPromotion(inbox, p, { waitMs: p.waitSeconds * 1000, busy });
}

/** The promotion itself, the same here and in the job that takes a request. */
export function runPromotion(registry: ModelRegistry, p: Promotion): Promise<PromoteResult> {
  return promoteModel(registry, parseModelRef(p.ref), p.alias, { force: p.force, schemasDir: p.schemasDir });
}

export interface HandOptions {
  waitMs: number;
  busy: WarehouseBusyError;
  /** How often the outcome is looked for. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Leaves the request and waits for its outcome. Not taken within the wait: withdrawn, and the busy error saying no
 * job took it. Taken (it can no longer be withdrawn): the job's answer is waited for, a second wait at most.
 */
export async function handPromotion(inbox: PromoteInbox, p: Promotion, o: HandOptions): Promise<PromoteResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = o.now ?? Date.now;
  const pollMs = o.pollMs ?? 100;
  const request = inbox.request({ ref: p.ref, alias: p.alias, force: p.force, schemasDir: p.schemasDir }, o.waitMs);
  const answer = async (until: number) => {
    for (;;) {
      const outcome = inbox.outcome(request.id);
      if (outcome) return outcome;
      if (now() >= until) return undefined;
      await sleep(pollMs);
    }
  };
  let outcome = await answer(request.expiresAt);
  if (!outcome && inbox.withdraw(request.id)) {
    const seconds = Math.round(o.waitMs / 1000);
    throw new PromotionNotTakenError(
      `${o.busy.message.replace(/: run again when it has finished$/, "")}, and no running job took the promotion ` +
        `within ${seconds} s (only rox stream --score takes them): run again when it has finished`,
    );
  }
  outcome ??= await answer(now() + o.waitMs);
  if (!outcome)
    throw new PromotionNotTakenError(
      `the running job took the promotion (request ${request.id} in ${inbox.dir}) but gave no answer within ` +
        `${Math.round((2 * o.waitMs) / 1000)} s: see its log, and rox models list for the aliases`,
    );
  return resultOf(outcome);
}

/** The outcome as a direct promotion ends: its result, or the same typed error (the same exit code). */
function resultOf(outcome: PromoteOutcome): PromoteResult {
  if (outcome.status === "promoted") return outcome.result;
  if (outcome.status === "refused") throw new PromotionRefusedError(outcome.message);
  if (outcome.kind) throw new PromotionFailedInJobError(outcome.kind, outcome.message);
  throw new Error(`the running job failed to promote: ${outcome.message}`);
}

/**
 * The job's side, before it resolves its model: takes the waiting requests and runs each with `promote` (in the
 * job's own warehouse connection), answering each with its outcome. Returns how many it ran.
 */
export async function servePromotions(
  inbox: PromoteInbox,
  promote: (p: Promotion) => Promise<PromoteResult>,
  log: (line: string) => void,
): Promise<number> {
  const requests = inbox.take();
  for (const request of requests) {
    const outcome = await outcomeOf(request, promote);
    inbox.answer(request, outcome);
    const what = `${request.ref} to ${request.alias}${request.force ? " (--force)" : ""}`;
    const said =
      outcome.status === "promoted"
        ? `${outcome.result.model.name}@${outcome.result.model.version} is ${outcome.result.alias}`
        : `${outcome.status}: ${outcome.message}`;
    log(`promotion of ${what} asked by process ${request.pid}: ${said}`);
  }
  return requests.length;
}

async function outcomeOf(
  request: PromoteRequest,
  promote: (p: Promotion) => Promise<PromoteResult>,
): Promise<PromoteOutcome> {
  try {
    if (!ALIAS.test(request.alias)) throw new PromotionFailedInJobError("usage", `--to ${request.alias}: ${ALIAS}`);
    const { ref, alias, force, schemasDir } = request;
    return { status: "promoted", result: await promote({ ref, alias, force, schemasDir }) };
  } catch (err) {
    if (err instanceof PromotionRefusedError) return { status: "refused", message: err.message };
    const e = err instanceof Error ? err : new Error(String(err));
    return { status: "error", kind: e instanceof RoxError ? e.kind : undefined, name: e.name, message: e.message };
  }
}
