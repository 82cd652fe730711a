/** How the conformance cases read a subscription: a source may return fewer messages than asked, or none for a moment. */
import type { MessageSource, PulledMessage } from "../../io/ports";

/** Pulls until `count` messages came: a source may return fewer than asked. */
export async function pullCount(source: MessageSource, count: number): Promise<PulledMessage[]> {
  return pullUntil(source, (messages) => messages.length >= count, count);
}

export async function pullUntil(
  source: MessageSource,
  done: (messages: PulledMessage[]) => boolean,
  max = 100,
): Promise<PulledMessage[]> {
  const messages: PulledMessage[] = [];
  while (!done(messages)) {
    messages.push(...(await source.pull(Math.max(1, max - messages.length), 2)));
  }
  return messages;
}

/** Everything available now: pulls until a long poll of 2 s comes back empty. */
export async function drain(source: MessageSource): Promise<PulledMessage[]> {
  const messages: PulledMessage[] = [];
  for (let batch = await source.pull(1000, 2); batch.length > 0; batch = await source.pull(1000, 2))
    messages.push(...batch);
  return messages;
}
