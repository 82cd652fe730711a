import type { PulledMessage } from "../io/ports";
import { sleep } from "./source-retry";

/**
 * How a failing micro-batch is handled. A record-level failure (bad JSON, a constraint) is already a dead letter of
 * its record inside the batch; a batch-level failure (the pipeline run or the warehouse commit failed) leaves nothing
 * committed, so the batch is tried again with backoff and then split in halves, recursively, until the messages that
 * fail alone are found: each becomes one dead letter and the rest of the batch lands, as Dataflow retries elements.
 */
export interface IsolationPolicy {
  /** Tries of the whole batch before it is split (default 3). */
  tries: number;
  /** The pause before the first retry (default 1 s), doubled for each next one. */
  backoffMs: number;
  /**
   * How many single messages may fail before any part of the batch has landed. Past it the failure is not pinned on
   * those messages (a warehouse that refuses everything, say): the batch goes back to the subscription whole
   * (default 8).
   */
  maxUnconfirmed: number;
}

export const DEFAULT_ISOLATION: IsolationPolicy = { tries: 3, backoffMs: 1000, maxUnconfirmed: 8 };

export interface BatchCommitter {
  /** Runs and commits the messages as one micro-batch; rejects, with nothing committed, if the batch failed. */
  commit(messages: PulledMessage[]): Promise<void>;
  /** Commits one message as a dead letter of its own, naming the failure it caused. */
  deadLetter(message: PulledMessage, failure: string): Promise<void>;
}

export interface IsolationOutcome {
  /** Messages whose rows or dead letters are committed: to ack. */
  landed: PulledMessage[];
  /** Messages to hand back to the subscription: no failure could be pinned on them (or their dead letter failed). */
  returned: PulledMessage[];
  /** Of `landed`, the messages dead-lettered because they failed alone. */
  isolated: number;
  /** The last batch-level failure, when there was one. */
  failure?: string;
}

export async function commitIsolating(
  messages: PulledMessage[],
  committer: BatchCommitter,
  policy: IsolationPolicy,
  log: (line: string) => void,
): Promise<IsolationOutcome> {
  let failure = "";
  for (let attempt = 0; attempt < policy.tries; attempt++) {
    if (attempt > 0) await sleep(policy.backoffMs * 2 ** (attempt - 1));
    try {
      await committer.commit(messages);
      return { landed: messages, returned: [], isolated: 0 };
    } catch (err) {
      failure = describe(err);
      log(`micro-batch of ${messages.length} messages failed (try ${attempt + 1} of ${policy.tries}): ${failure}`);
    }
  }
  if (messages.length === 1) return { landed: [], returned: messages, isolated: 0, failure };
  const bisection = new Bisection(committer, policy);
  await bisection.visit(messages);
  return bisection.finish(log, failure);
}

/** Depth-first halving; a message that fails alone is a suspect until some other part of the batch has landed. */
class Bisection {
  private readonly landed: PulledMessage[] = [];
  private readonly suspects: { message: PulledMessage; failure: string }[] = [];
  private readonly untried: PulledMessage[] = [];
  private anyLanded = false;

  constructor(
    private readonly committer: BatchCommitter,
    private readonly policy: IsolationPolicy,
  ) {}

  async visit(part: PulledMessage[]): Promise<void> {
    if (this.gaveUp()) return void this.untried.push(...part);
    try {
      await this.committer.commit(part);
      this.landed.push(...part);
      this.anyLanded = true;
    } catch (err) {
      if (part.length === 1) return void this.suspects.push({ message: part[0], failure: describe(err) });
      const middle = Math.ceil(part.length / 2);
      await this.visit(part.slice(0, middle));
      await this.visit(part.slice(middle));
    }
  }

  async finish(log: (line: string) => void, batchFailure: string): Promise<IsolationOutcome> {
    const returned = [...this.untried];
    let isolated = 0;
    for (const { message, failure } of this.suspects) {
      if (!this.anyLanded) {
        returned.push(message);
        continue;
      }
      try {
        await this.committer.deadLetter(message, failure);
        this.landed.push(message);
        isolated++;
      } catch (err) {
        const why = describe(err);
        log(`the dead letter of message ${message.messageId} failed too (${why}): it goes back to the subscription`);
        returned.push(message);
      }
    }
    const others = this.landed.length - isolated;
    if (isolated > 0) log(`${isolated} message(s) failed alone and were dead-lettered; the other ${others} landed`);
    if (returned.length > 0) {
      const why = `no failure could be pinned on single messages (${batchFailure})`;
      log(`${returned.length} message(s) go back to the subscription: ${why}`);
    }
    return { landed: this.landed, returned, isolated, failure: batchFailure };
  }

  private gaveUp(): boolean {
    return !this.anyLanded && this.suspects.length >= this.policy.maxUnconfirmed;
  }
}

/** One line: errors here end up in a dead letter's message and on stderr. */
export function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, " ").trim();
}
