/**
 * Scoring in the stream, the pure parts, table-driven: a window key's row as the micro-batch knows it (stored, merged
 * with the micro-batch's partials, or none), and fresh events → one prediction row or one score dead letter each.
 */
import { loadContract } from "../../schemas/load";
import { CARD_FORMAT, type ModelCard } from "../../transforms/score/model-card";
import { windowKeysOf } from "../../transforms/score/online-features";
import { createScorer } from "../../transforms/score/scorer";
import { scoreFreshEvents, windowRowsNow, type WindowState } from "../../transforms/score/stream-scoring";

const contract = loadContract("flights");
const spec = contract.features!.windows.find((w) => w.name === "origin_hourly")!;
const H13 = Date.parse("2001-01-10T13:00:00Z");
const H14 = Date.parse("2001-01-10T14:00:00Z");
const NOW = "2026-12-03T00:00:00.000Z";

function storedRow(origin: string, flights: number, delaySum: number, maxDelay: number, delayed: number) {
  return {
    origin,
    window_start: new Date(H13).toISOString(),
    window_end: new Date(H14).toISOString(),
    flights,
    mean_delay: delaySum / flights,
    max_delay: maxDelay,
    delayed_share: delayed / flights,
    _acc_flights: flights,
    _acc_delay_sum: delaySum,
    _acc_max_delay: maxDelay,
    _acc_delayed_flights: delayed,
  };
}

/** LAS and PHL were stored for 13:00–14:00; this micro-batch adds a late LAS flight of 13:40 (20 min late). */
const windows: WindowState[] = [
  {
    spec,
    stored: new Map([
      [
        H14,
        new Map([
          ["LAS", storedRow("LAS", 2, 10, 8, 0)],
          ["PHL", storedRow("PHL", 1, 4, 4, 0)],
        ]),
      ],
    ]),
    partials: [
      {
        origin: "LAS",
        window_start: new Date(H13).toISOString(),
        flights: 1,
        delay_sum: 20,
        max_delay: 20,
        delayed_flights: 1,
      },
    ],
  },
];

const key = (origin: string) => ({
  table: "flights_origin_hourly",
  keyColumn: "origin",
  key: origin,
  windowEndMs: H14,
});

test.each([
  ["a window the micro-batch touched: stored + partial", "LAS", { flights: 3, mean_delay: 10, max_delay: 20 }],
  ["a window it did not touch: the stored row", "PHL", { flights: 1, mean_delay: 4, max_delay: 4 }],
  ["a key with no row anywhere: none", "SFO", null],
])("window rows now: %s", (_name, origin, expected) => {
  const row = windowRowsNow(contract, windows, NOW)(key(origin));
  if (expected === null) expect(row).toBeNull();
  else expect(row).toMatchObject(expected);
});

/** One tree: origin_prev_flights < 2.5 → -1, else +1 (base 0.5); the mean delay is required (not nullable). */
const card = {
  format: CARD_FORMAT,
  name: "m",
  version: 4,
  target: { name: "delay" },
  features: [
    { name: "origin_prev_flights", kind: "number", window: "origin_hourly", column: "flights", whenNoWindow: 0 },
    { name: "origin_prev_mean_delay", kind: "number", window: "origin_hourly", column: "mean_delay" },
  ],
} as unknown as ModelCard;

const tree = {
  left_children: [1, -1, -1],
  right_children: [2, -1, -1],
  split_indices: [0, 0, 0],
  split_conditions: [2.5, -1, 1],
  default_left: [0, 0, 0],
  split_type: [0, 0, 0],
  categories: [],
  categories_nodes: [],
  categories_segments: [],
  categories_sizes: [],
};
const model = JSON.stringify({
  learner: {
    feature_names: ["origin_prev_flights", "origin_prev_mean_delay"],
    gradient_booster: { name: "gbtree", model: { trees: [tree] } },
    learner_model_param: { base_score: "[5E-1]", num_class: "0", num_target: "1" },
    objective: { name: "reg:squarederror" },
  },
});

const event = (id: string, origin: string, time: string) => ({ event_id: id, origin, date: Date.parse(time) });
const ctx = { model: "m", modelVersion: 4, table: "flights", schema: "flights", jobName: "stream", runId: "r1" };

test("fresh events → a prediction row each, or a score dead letter standing for no record", () => {
  const events = [
    event("f-las", "LAS", "2001-01-10T14:05:00Z"),
    event("f-phl", "PHL", "2001-01-10T14:30:00Z"),
    event("f-sfo", "SFO", "2001-01-10T14:10:00Z"),
  ];
  expect(windowKeysOf(contract, card.features, events[0])).toEqual([key("LAS")]);
  const scorer = createScorer(card, model);
  const scored = scoreFreshEvents(contract, scorer, ctx, events, windowRowsNow(contract, windows, NOW), NOW);
  const who = { model: "m", model_version: 4, score_run_id: "r1", scored_at: NOW };
  expect(scored.predictions).toEqual([
    { event_id: "f-las", event_time: "2001-01-10T14:05:00.000Z", prediction: 1.5, ...who },
    { event_id: "f-phl", event_time: "2001-01-10T14:30:00.000Z", prediction: -0.5, ...who },
  ]);
  expect(scored.deadLetters).toHaveLength(1);
  expect(scored.deadLetters[0]).toMatchObject({
    errorStage: "score",
    errorClass: "feature.missing",
    errorMessage: "feature origin_prev_mean_delay is missing",
    sourceUri: "flights/f-sfo",
    messageId: "m@4",
    records: 0,
    jobName: "stream",
    runId: "r1",
  });
});
