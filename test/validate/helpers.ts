import type { Decoded, Envelope, Outcome } from "../../transforms/envelope";

export const NOW_MS = Date.parse("2026-01-01T00:00:00Z");

export function envelopeOf(fields: Record<string, unknown>): Envelope {
  const payload = JSON.stringify(fields, (_key, value) => (typeof value === "bigint" ? String(value) : value));
  return { payload, source: { uri: "file:///in/flights.jsonl", line: 7 }, attempt: 1 };
}

export function decodedOf(fields: Record<string, unknown>, textual = false): Decoded {
  return { fields, envelope: envelopeOf(fields), ...(textual ? { textual: true } : {}) };
}

/** Asserts a validate dead letter with this class whose message starts with `message`. */
export function expectDead(outcome: Outcome<unknown>, errorClass: string, message: string): void {
  if (outcome.ok) throw new Error(`expected a dead letter, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.dead).toMatchObject({ stage: "validate", errorClass });
  expect(outcome.dead.errorMessage.slice(0, message.length)).toBe(message);
}
