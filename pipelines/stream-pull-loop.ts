import type { LeaseInfo, MessageSource, PulledMessage } from "../io/ports";
import { clampWait } from "../io/pubsub/long-poll";
import { withRetry, type RetryPolicy } from "./source-retry";

export interface PullLoopSettings {
  batchSize: number;
  maxMessages?: number;
  idleTimeoutSeconds: number;
  retry: RetryPolicy;
  /** One-line notices (to stderr in the CLI). */
  log: (line: string) => void;
}

export type BatchHandler = (messages: PulledMessage[], index: number) => Promise<void>;

export type StopReason = "idle" | "max-messages" | "stop-requested";

/** A pull's result, kept as a value so that a prefetched pull failing while a batch is processed is never unhandled. */
type Settled = { ok: true; messages: PulledMessage[] } | { ok: false; error: unknown };

/**
 * Pulls the next batch (long polls, failures retried with backoff) while the current one is processed; stops when
 * idle, at maxMessages, or when asked. A pull that stays failing ends the loop with its error, thrown only once the
 * batch in hand is committed. `leases` is undefined when the subscription's ack deadline could not be read.
 */
export async function pullLoop(
  settings: PullLoopSettings,
  source: MessageSource,
  leases: LeaseInfo | undefined,
  handle: BatchHandler,
  stopRequested: () => boolean,
): Promise<StopReason> {
  const clock = new IdleClock(settings.idleTimeoutSeconds, leases, settings.log);
  let remaining = settings.maxMessages ?? Infinity;
  const pullNext = (): Promise<Settled> => {
    const size = () => Math.min(settings.batchSize, remaining);
    const pull = () => source.pull(size(), clock.waitSeconds(), () => clock.pullFailed());
    return settle(withRetry("pull", pull, settings.retry, () => clock.pullFailed()));
  };
  let next: Promise<Settled> | undefined = remaining > 0 ? pullNext() : undefined;
  let reason: StopReason = "max-messages";
  for (let index = 0; next; index++) {
    const result = await next;
    if (!result.ok) throw result.error;
    const messages = result.messages;
    remaining -= messages.length;
    if (messages.length > 0) clock.received();
    const idle = messages.length === 0 && clock.idleOver();
    const stop = stopRequested();
    next = remaining > 0 && !idle && !stop ? pullNext() : undefined;
    if (!next) reason = idle ? "idle" : stop ? "stop-requested" : "max-messages";
    if (messages.length > 0) await handle(messages, index);
  }
  if (reason === "idle") settings.log(clock.idleLine());
  return reason;
}

function settle(pull: Promise<PulledMessage[]>): Promise<Settled> {
  return pull.then(
    (messages) => ({ ok: true, messages }),
    (error: unknown) => ({ ok: false, error }),
  );
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
