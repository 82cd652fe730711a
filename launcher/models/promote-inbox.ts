/**
 * The promotion inbox of a DuckDB warehouse: a folder next to the file (`<warehouse>.inbox/`) where `rox models
 * promote` leaves its request when a running job holds the file, and where that job (`rox stream --score`, between
 * micro-batches) leaves the outcome. Every file is written whole (a temporary file, then a rename); a request is taken
 * once (renamed to `<id>.taken.json` by the job that runs it); a request past its wait is stale, and the job removes it
 * unread, as it removes outcomes, taken requests and temporary files nobody came back for.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ErrorKind } from "../../errors/rox-error";
import type { PromoteResult } from "./promote";

/** What the promoting process asks for: `promoteModel(registry, ref, alias, { force, schemasDir })`. */
export interface PromoteRequest {
  id: string;
  /** `name@version` or `name@alias`, as given to `rox models promote`. */
  ref: string;
  alias: string;
  force: boolean;
  schemasDir?: string;
  /** The requesting process, for the job's log line. */
  pid: number;
  requestedAt: number;
  /** After this (ms since the epoch) the requester has given up: the request is stale. */
  expiresAt: number;
}

/** What the job did with it: the promotion's result, the gate's refusal, or another error (its typed kind, if any). */
export type PromoteOutcome =
  | { status: "promoted"; result: PromoteResult }
  | { status: "refused"; message: string }
  | { status: "error"; kind?: ErrorKind; name: string; message: string };

type Stored<T> = T & { expiresAt: number };

/** Request ids the inbox writes and reads: nothing else in the folder is looked at, and no name leaves it. */
const ID = /^[0-9a-z][0-9a-z-]{0,79}$/;
const REQUEST = ".request.json";
const TAKEN = ".taken.json";
const OUTCOME = ".outcome.json";

/** The inbox of a DuckDB warehouse file. */
export function inboxOf(warehouseFile: string): string {
  return `${path.resolve(warehouseFile)}.inbox`;
}

export interface InboxOptions {
  /** The clock (ms since the epoch); injected in tests. */
  now?: () => number;
  /** How long an outcome or a taken request outlives its request's wait before the job removes it. */
  graceMs?: number;
}

export class PromoteInbox {
  private readonly now: () => number;
  private readonly graceMs: number;

  constructor(
    readonly dir: string,
    o: InboxOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.graceMs = o.graceMs ?? 10 * 60_000;
  }

  /** Leaves a request; its id names every file of it. */
  request(r: Omit<PromoteRequest, "id" | "requestedAt" | "expiresAt" | "pid">, waitMs: number): PromoteRequest {
    const now = this.now();
    const id = `${now.toString(36)}-${process.pid.toString(36)}-${crypto.randomBytes(4).toString("hex")}`;
    const request: PromoteRequest = { ...r, id, pid: process.pid, requestedAt: now, expiresAt: now + waitMs };
    fs.mkdirSync(this.dir, { recursive: true });
    this.writeWhole(id, REQUEST, request);
    return request;
  }

  /** Takes back a request nobody took; false when a job took it first (its outcome is then on its way). */
  withdraw(id: string): boolean {
    return removed(this.file(id, REQUEST));
  }

  /** The outcome of a request, once the job has written it (the file is then removed). */
  outcome(id: string): PromoteOutcome | undefined {
    const file = this.file(id, OUTCOME);
    const stored = readJson<Stored<PromoteOutcome>>(file);
    if (stored === undefined) return undefined;
    removed(file);
    const { expiresAt: _, ...outcome } = stored;
    return outcome as PromoteOutcome;
  }

  /**
   * The job's side: removes what is stale, then claims each waiting request (oldest first) by renaming it. A request
   * another job claimed first, or its requester withdrew, is skipped. Each claimed request is answered with `answer`.
   */
  take(): PromoteRequest[] {
    const now = this.now();
    const taken: PromoteRequest[] = [];
    for (const name of this.names()) {
      const [id, suffix] = splitName(name);
      const file = path.join(this.dir, name);
      if (id === undefined) {
        if (name.endsWith(".tmp") && this.olderThanGrace(file, now)) removed(file);
        continue;
      }
      const stored = readJson<{ expiresAt?: unknown }>(file);
      const expiresAt = typeof stored?.expiresAt === "number" ? stored.expiresAt : undefined;
      if (suffix !== REQUEST) {
        if (expiresAt === undefined || expiresAt + this.graceMs < now) removed(file);
        continue;
      }
      if (!isRequest(stored, id) || stored.expiresAt < now) {
        removed(file);
        continue;
      }
      const claim = this.file(id, TAKEN);
      try {
        fs.renameSync(file, claim);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      const request = readJson<PromoteRequest>(claim);
      if (isRequest(request, id)) taken.push(request);
      else removed(claim);
    }
    return taken.sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /** The job's answer to a request it took: the outcome written whole, then the claim removed. */
  answer(request: PromoteRequest, outcome: PromoteOutcome): void {
    this.writeWhole(request.id, OUTCOME, { ...outcome, expiresAt: request.expiresAt });
    removed(this.file(request.id, TAKEN));
  }

  private names(): string[] {
    try {
      return fs.readdirSync(this.dir).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  private file(id: string, suffix: string): string {
    if (!ID.test(id)) throw new Error(`not a promotion request id: ${JSON.stringify(id)}`);
    return path.join(this.dir, id + suffix);
  }

  private writeWhole(id: string, suffix: string, value: unknown): void {
    const target = this.file(id, suffix);
    const tmp = path.join(this.dir, `.${id}-${crypto.randomBytes(4).toString("hex")}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(value), { flag: "wx" });
    fs.renameSync(tmp, target);
  }

  private olderThanGrace(file: string, now: number): boolean {
    try {
      return fs.lstatSync(file).mtimeMs + this.graceMs < now;
    } catch {
      return false;
    }
  }
}

/** `<id>.request.json` and the like → [id, suffix]; anything else (a temporary file, a stranger) → []. */
function splitName(name: string): [string, string] | [] {
  for (const suffix of [REQUEST, TAKEN, OUTCOME]) {
    if (!name.endsWith(suffix)) continue;
    const id = name.slice(0, -suffix.length);
    return ID.test(id) ? [id, suffix] : [];
  }
  return [];
}

function isRequest(value: unknown, id: string): value is PromoteRequest {
  const r = value as Partial<PromoteRequest> | undefined;
  return (
    r !== undefined &&
    r.id === id &&
    typeof r.ref === "string" &&
    typeof r.alias === "string" &&
    typeof r.force === "boolean" &&
    typeof r.requestedAt === "number" &&
    typeof r.expiresAt === "number" &&
    (r.schemasDir === undefined || typeof r.schemasDir === "string")
  );
}

/** A regular file's JSON, or undefined when it is gone, is no regular file (a link, a folder) or does not parse. */
function readJson<T>(file: string): T | undefined {
  try {
    if (!fs.lstatSync(file).isFile()) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Removes a file (a link itself, never what it points to); false when it was gone, or is a folder (left alone). */
function removed(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EPERM") return false;
    throw err;
  }
}
