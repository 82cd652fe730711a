import type { LeaseInfo, MessageSource, PulledMessage } from "../io/ports";
import { clampWait } from "../io/pubsub/long-poll";
import { withRetry, type RetryPolicy } from "./source-retry";

export interface PullLoopSettings {
  batchSize: number;
  /**
   * How long, from its first message, a micro-batch may keep filling from a backlog while the handler waits for it
   * (0: until it is full or the pulls catch up). While the handler is busy the next batch fills regardless.
   */
  batchWindowMs: number;
  maxMessages?: number;
  idleTimeoutSeconds: number;
  retry: RetryPolicy;
  /** One-line notices (to stderr in the CLI). */
  log: (line: string) => void;
}

export type BatchHandler = (messages: PulledMessage[], index: number) => Promise<void>;

export type StopReason = "idle" | "max-messages" | "stop-requested";

/**
 * Pulls without pause while micro-batches are processed: the messages pulled meanwhile form the next batch, which the
 * handler takes as soon as it is free (whatever has come, up to `batchSize`). A pull fills from a backlog in rounds
 * (`pullInPolls`); while the handler waits, live traffic stops filling the batch `batchWindowMs` after its first
 * message (a backlog fills whole batches). Stops when
 * idle, at maxMessages, or when asked, after committing every message pulled. A pull that stays failing (retried with
 * backoff) ends the loop with its error, thrown only once the messages in hand are committed. `leases` is undefined
 * when the subscription's ack deadline could not be read.
 */
export async function pullLoop(
  settings: PullLoopSettings,
  source: MessageSource,
  leases: LeaseInfo | undefined,
  handle: BatchHandler,
  stopRequested: () => boolean,
): Promise<StopReason> {
  const clock = new IdleClock(settings.idleTimeoutSeconds, leases, settings.log);
  const open = new OpenBatch(settings.batchWindowMs);
  const pulling = pullInto(open, settings, source, clock, stopRequested);
  try {
    for (let index = 0; ; index++) {
      const messages = await open.take();
      if (messages.length === 0) break;
      await handle(messages, index);
    }
  } catch (err) {
    open.abandon();
    throw err;
  }
  const end = await pulling;
  if (!end.ok) throw end.error;
  if (end.reason === "idle") settings.log(clock.idleLine());
  return end.reason;
}

type PullEnd = { ok: true; reason: StopReason } | { ok: false; error: unknown };

/** The pulling side: appends to the open batch until it must stop; never rejects (a failure is its result). */
async function pullInto(
  open: OpenBatch,
  settings: PullLoopSettings,
  source: MessageSource,
  clock: IdleClock,
  stopRequested: () => boolean,
): Promise<PullEnd> {
  let remaining = settings.maxMessages ?? Infinity;
  try {
    for (;;) {
      if (stopRequested() || open.abandoned) return open.finish({ ok: true, reason: "stop-requested" });
      if (remaining <= 0) return open.finish({ ok: true, reason: "max-messages" });
      await open.room(settings.batchSize);
      if (open.abandoned) return open.finish({ ok: true, reason: "stop-requested" });
      const size = Math.min(settings.batchSize - open.size, remaining);
      const fillOver = open.fillWindow();
      const pull = () => source.pull(size, clock.waitSeconds(), () => clock.pullFailed(), fillOver);
      const messages = await withRetry("pull", pull, settings.retry, () => clock.pullFailed());
      remaining -= messages.length;
      if (messages.length > 0) {
        clock.received();
        open.add(messages);
      } else if (clock.idleOver()) return open.finish({ ok: true, reason: "idle" });
    }
  } catch (error) {
    return open.finish({ ok: false, error });
  }
}

/** A pull whose first message is this many batch windows old is draining a backlog: the window does not cut it. */
export const BACKLOG_WINDOWS = 4;

/** The micro-batch being pulled: the puller appends, the handler takes everything at once; each wakes the other. */
class OpenBatch {
  private messages: PulledMessage[] = [];
  /** When the open batch got its first message (or a pull for it did), for the fill window. */
  private openedAt?: number;
  private handlerWaiting = false;
  private ended?: PullEnd;
  abandoned = false;
  private wake: (() => void)[] = [];

  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.messages.length;
  }

  add(messages: PulledMessage[]): void {
    this.openedAt ??= Date.now();
    this.messages.push(...messages);
    this.notify();
  }

  finish(end: PullEnd): PullEnd {
    this.ended = end;
    this.notify();
    return end;
  }

  /** The handler gave up (its batch failed): the puller stops after the pull in flight. */
  abandon(): void {
    this.abandoned = true;
    this.notify();
  }

  /** Resolves once the batch has room (the handler took it), or the handler gave up. */
  async room(batchSize: number): Promise<void> {
    while (this.messages.length >= batchSize && !this.abandoned) await this.changed();
  }

  /**
   * For one pull: after its first request brought messages, whether to stop filling — only while the handler waits,
   * once `windowMs` have passed since the batch's first message, and only for live traffic: a pull whose first
   * message was published `BACKLOG_WINDOWS` windows ago or more is draining a backlog, where whole batches (fewer
   * fixed costs) catch up sooner than early ones.
   */
  fillWindow(): (firstPublishTime: string) => boolean {
    let first: number | undefined;
    return (firstPublishTime) => {
      const now = Date.now();
      first ??= now;
      const since = Math.min(first, this.openedAt ?? first); // the batch may hold messages of earlier pulls
      if (this.windowMs <= 0 || !this.handlerWaiting || now - since < this.windowMs) return false;
      return !(now - Date.parse(firstPublishTime) >= BACKLOG_WINDOWS * this.windowMs);
    };
  }

  /** Everything pulled so far, as soon as there is something; [] once the puller has ended and nothing is left. */
  async take(): Promise<PulledMessage[]> {
    this.handlerWaiting = true;
    try {
      while (this.messages.length === 0 && !this.ended) await this.changed();
    } finally {
      this.handlerWaiting = false;
    }
    const taken = this.messages;
    this.messages = [];
    this.openedAt = undefined;
    this.notify();
    return taken;
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    waiting.forEach((resolve) => resolve());
  }
}

/**
 * When the job may call itself idle: no message for the idle timeout, and no message that could still come back from
 * a lease — one taken by an earlier run that was killed (until one ack deadline after this run started), or by one of
 * this run's pulls that failed (its answer, with messages, may have been lost: until one ack deadline after it).
 */
export class IdleClock {
  private lastMessageAt = Date.now();
  private leasedUntil: number;
  private waitingNoted = false;

  constructor(
    private readonly idleSeconds: number,
    private readonly leases: LeaseInfo | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.leasedUntil = leases?.earlierLeasesPossible ? Date.now() + leases.ackDeadlineSeconds * 1000 : 0;
  }

  received(): void {
    this.lastMessageAt = Date.now();
  }

  pullFailed(): void {
    const deadline = this.leases?.ackDeadlineSeconds ?? UNKNOWN_ACK_DEADLINE_SECONDS;
    this.leasedUntil = Math.max(this.leasedUntil, Date.now() + deadline * 1000);
  }

  /** After an empty pull: true once the job may stop; says once why it keeps waiting when only leases hold it. */
  idleOver(): boolean {
    const now = Date.now();
    if (now - this.lastMessageAt < this.idleSeconds * 1000) return false;
    if (now >= this.leasedUntil) return true;
    if (!this.waitingNoted) {
      this.waitingNoted = true;
      const seconds = Math.ceil((this.leasedUntil - now) / 1000);
      const deadline = this.leases?.ackDeadlineSeconds ?? UNKNOWN_ACK_DEADLINE_SECONDS;
      this.log(
        `no message for ${this.idleSeconds} s, but messages pulled earlier and not acked (by a run that was killed, ` +
          `or by a failed pull) come back only when their lease ends: ` +
          `waiting up to ${seconds} s more (ack deadline ${deadline} s)`,
      );
    }
    return false;
  }

  /** The next long poll waits at most until the job could stop. */
  waitSeconds(): number {
    const stopAt = Math.max(this.lastMessageAt + this.idleSeconds * 1000, this.leasedUntil);
    return clampWait((stopAt - Date.now()) / 1000);
  }

  /** What the job can say about leases when it stops idle. */
  idleLine(): string {
    const idle = `stopped: no message for ${this.idleSeconds} s`;
    if (!this.leases) {
      const unknown = "the subscription's ack deadline could not be read, so messages a killed run left leased";
      return `${idle}; ${unknown} may still come back (run again after the ack deadline)`;
    }
    if (this.leasedUntil === 0) return `${idle}; no lease outstanding (the job created the subscription)`;
    const deadline = this.leases.ackDeadlineSeconds;
    const since = "since this run started and since any failed pull";
    return `${idle}; no lease outstanding (the ${deadline} s ack deadline has passed ${since})`;
  }
}

/** For a failed pull when the subscription's ack deadline is unknown. */
const UNKNOWN_ACK_DEADLINE_SECONDS = 60;
