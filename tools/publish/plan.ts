import { boundedShuffle } from "./bounded-shuffle";
import { withDuplicates } from "./duplicates";
import { toEventMessage, type EventMessage } from "./event-message";
import { readLineBuffers } from "../../io/files/line-buffers";
import { seededRandom } from "./seeded-random";

export interface PlanOptions {
  /** Probability 0..1 that an event is published a second time. */
  duplicates?: number;
  /** Seconds of event time within which events are delivered out of order. */
  shuffleWithin?: number;
  seed?: number;
}

export interface PlannedMessage extends EventMessage {
  duplicate: boolean;
}

/** The default seed: runs are reproducible unless asked otherwise. */
export const DEFAULT_SEED = 1;

/** What to publish, in order: every line of the files, shuffled within bounds, with duplicates. Lazy and streamed. */
export function* planMessages(files: string[], options: PlanOptions = {}): Generator<PlannedMessage> {
  const seed = options.seed ?? DEFAULT_SEED;
  // Two streams, so which events get duplicated does not depend on whether they are also shuffled.
  const shuffled = boundedShuffle(eventMessages(files), (options.shuffleWithin ?? 0) * 1000, seededRandom(seed));
  const duplicated = withDuplicates(shuffled, options.duplicates ?? 0, seededRandom(seed ^ 0x5bd1e995));
  for (const { item, duplicate } of duplicated) yield { ...item, duplicate };
}

function* eventMessages(files: string[]): Generator<EventMessage> {
  for (const file of files) for (const line of readLineBuffers(file)) yield toEventMessage(line);
}
