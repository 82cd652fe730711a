/**
 * Realistic faults injected into real events, for the demo and the tests: each line says what it breaks, so a job's
 * dead letters and duplicates can be checked against what was put in.
 */
export interface InjectedFault {
  line: string;
  /** The dead letter's `<stage>/<errorClass>` the line must produce, or "duplicate". */
  expect: string;
}

type Event = Record<string, unknown>;

const mutations: [string, (e: Event) => string][] = [
  ["decode/malformed_json", (e) => JSON.stringify(e).slice(0, -7)],
  ["decode/not_an_object", (e) => JSON.stringify([e])],
  ["validate/missing_field", (e) => JSON.stringify({ ...e, distance: undefined })],
  ["validate/wrong_type", (e) => JSON.stringify({ ...e, delay: String(e.delay) })],
  ["validate/wrong_type", (e) => JSON.stringify({ ...e, distance: 12.5 })],
  ["validate/constraint.max", (e) => JSON.stringify({ ...e, delay: 2881 })],
  ["validate/constraint.min", (e) => JSON.stringify({ ...e, distance: 0 })],
  ["validate/constraint.pattern", (e) => JSON.stringify({ ...e, origin: "la" })],
  ["validate/constraint.notEqual", (e) => JSON.stringify({ ...e, destination: e.origin })],
  ["validate/constraint.minLength", (e) => JSON.stringify({ ...e, event_id: "" })],
  ["validate/invalid_timestamp", (e) => JSON.stringify({ ...e, date: String(e.date).replace("Z", "") })],
  ["validate/constraint.max", (e) => JSON.stringify({ ...e, date: "2999-01-01T00:00:00Z" })],
];

/** One faulty line per mutation (each from a different real event, with a fresh id), plus exact duplicates. */
export function injectFaults(events: Event[], duplicates: number): InjectedFault[] {
  const faults = mutations.map(([expect, mutate], i) => {
    const source = events[i % events.length];
    return { line: mutate({ ...source, event_id: `fault:${i + 1}` }), expect };
  });
  for (let i = 0; i < duplicates; i++)
    faults.push({ line: JSON.stringify(events[i % events.length]), expect: "duplicate" });
  return faults;
}
