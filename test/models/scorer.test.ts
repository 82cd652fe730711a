/** The scorer's pure parts, table-driven: tree walking as XGBoost does it, feature vectors and their dead letters. */
import { histogramBin, histogramCounts } from "../../transforms/score/baseline";
import { categoryCodes, featureVector } from "../../transforms/score/feature-vector";
import { CARD_FORMAT, ModelFormatError, type CardFeature, type ModelCard } from "../../transforms/score/model-card";
import { createScorer, scoreFeatureRow } from "../../transforms/score/scorer";
import { predictOne } from "../../transforms/score/tree-ensemble";
import { parseXgboostJson } from "../../transforms/score/xgboost-json";

/** Two trees: a numeric split on feature 0 (NaN goes right), and a categorical split on feature 1 ({2, 5} go right). */
function modelJson(overrides: Record<string, unknown> = {}): string {
  const numeric = {
    left_children: [1, -1, -1],
    right_children: [2, -1, -1],
    split_indices: [0, 0, 0],
    split_conditions: [0.1, -1.5, 2.25],
    default_left: [0, 0, 0],
    split_type: [0, 0, 0],
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
  };
  const categorical = {
    left_children: [1, -1, -1],
    right_children: [2, -1, -1],
    split_indices: [1, 0, 0],
    split_conditions: [0, 10, 20],
    default_left: [1, 0, 0],
    split_type: [1, 0, 0],
    categories: [2, 5],
    categories_nodes: [0],
    categories_segments: [0],
    categories_sizes: [2],
  };
  return JSON.stringify({
    learner: {
      feature_names: ["x", "c"],
      gradient_booster: { name: "gbtree", model: { trees: [numeric, categorical] } },
      learner_model_param: { base_score: "[5E-1]", num_class: "0", num_target: "1" },
      objective: { name: "reg:squarederror" },
      ...overrides,
    },
  });
}

const f32 = (...values: number[]) => Float32Array.from(values);

test.each([
  ["below the threshold goes left", f32(0.05, 0), 0.5 - 1.5 + 10],
  ["at the threshold goes right (x < t is left)", f32(0.1, 0), 0.5 + 2.25 + 10],
  ["float32 comparison: 0.1 as a double rounds to the threshold", f32(0.1000000001, 0), 0.5 + 2.25 + 10],
  ["missing takes the default branch (right for tree 1, left for tree 2)", f32(NaN, NaN), 0.5 + 2.25 + 10],
  ["a category in the node's set goes right", f32(0, 5), 0.5 - 1.5 + 20],
  ["a category outside the set goes left", f32(0, 3), 0.5 - 1.5 + 10],
  ["a negative category is invalid and goes left", f32(0, -1), 0.5 - 1.5 + 10],
])("trees: %s", (_name, x, expected) => {
  expect(predictOne(parseXgboostJson(modelJson()), x)).toBeCloseTo(expected, 5);
});

test.each([
  ["not JSON", "{", /not JSON/],
  ["no learner", JSON.stringify({}), /no learner/],
  ["a linear booster", modelJson({ gradient_booster: { name: "gblinear", model: {} } }), /only gbtree/],
  ["an unknown objective", modelJson({ objective: { name: "rank:ndcg" } }), /not supported/],
  ["a multi-class model", modelJson({ learner_model_param: { base_score: "0", num_class: "3" } }), /multi-class/],
  [
    "children outside the tree",
    modelJson({
      gradient_booster: {
        name: "gbtree",
        model: {
          trees: [
            { left_children: [5], right_children: [6], split_indices: [0], split_conditions: [0], default_left: [0] },
          ],
        },
      },
    }),
    /outside the tree/,
  ],
])("a model file that is %s is refused at load", (_name, text, message) => {
  expect(() => parseXgboostJson(text)).toThrow(ModelFormatError);
  expect(() => parseXgboostJson(text)).toThrow(message);
});

test("the logistic and log links apply to the margin, with base_score in output space", () => {
  const logistic = parseXgboostJson(modelJson({ objective: { name: "binary:logistic" } }));
  expect(predictOne(logistic, f32(0.05, 0))).toBeCloseTo(1 / (1 + Math.exp(-(0 - 1.5 + 10))), 6);
  const poisson = parseXgboostJson(
    modelJson({ objective: { name: "count:poisson" }, learner_model_param: { base_score: "2" } }),
  );
  expect(predictOne(poisson, f32(0.05, 0))).toBeCloseTo(Math.exp(Math.log(2) - 1.5 + 10), 1);
});

const features: CardFeature[] = [
  { name: "x", kind: "number" },
  { name: "c", kind: "category", categories: ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"] },
  { name: "w", kind: "number", nullable: true },
];

test.each([
  ["numbers and a known category", { x: 1.5, c: "FFF", w: 3 }, [1.5, 5, 3]],
  ["numeric text (BigQuery's INT64)", { x: "42", c: "AAA", w: null }, [42, 0, NaN]],
  ["an unknown category is missing, as in XGBoost", { x: 0, c: "ZZZ" }, [0, NaN, NaN]],
])("feature vector: %s", (_name, row, expected) => {
  expect(Array.from(featureVector(features, categoryCodes(features), row) as Float32Array)).toEqual(expected);
});

test.each([
  ["a required number is null", { x: null, c: "AAA" }, "feature.missing", "feature x is missing"],
  ["a required category is absent", { x: 1 }, "feature.missing", "feature c is missing"],
  [
    "a number is text",
    { x: "fast", c: "AAA" },
    "feature.not_a_number",
    'feature x must be a finite number (got "fast")',
  ],
  [
    "a number is infinite",
    { x: Infinity, c: "AAA" },
    "feature.not_a_number",
    "feature x must be a finite number (got null)",
  ],
  [
    "a number is a boolean",
    { x: true, c: "AAA" },
    "feature.not_a_number",
    "feature x must be a finite number (got true)",
  ],
  ["a category is a number", { x: 1, c: 7 }, "feature.not_a_category", "feature c must be text (got 7)"],
])("dead letter when %s", (_name, row, errorClass, errorMessage) => {
  expect(featureVector(features, categoryCodes(features), row)).toEqual({ errorClass, errorMessage });
});

const card = {
  format: CARD_FORMAT,
  name: "m",
  version: 1,
  target: { name: "y" },
  features: features.slice(0, 2),
} as unknown as ModelCard;

test("a scorer scores a row, and a bad row becomes a dead letter of stage score, never a NaN", () => {
  const scorer = createScorer(card, modelJson());
  const envelope = { payload: "{}", source: { uri: "flights/e1" }, attempt: 1 };
  expect(scoreFeatureRow(scorer, { x: 0.05, c: "FFF" }, envelope)).toEqual({ ok: true, value: expect.closeTo(19, 5) });
  expect(scoreFeatureRow(scorer, { x: "?", c: "FFF" }, envelope)).toEqual({
    ok: false,
    dead: {
      stage: "score",
      errorClass: "feature.not_a_number",
      errorMessage: 'feature x must be a finite number (got "?")',
      envelope,
    },
  });
});

test("a model whose features differ from its card's is refused", () => {
  expect(() => createScorer({ ...card, features: [features[1], features[0]] }, modelJson())).toThrow(
    /differ from its card/,
  );
  expect(() => createScorer({ ...card, format: "other" }, modelJson())).toThrow(/format must be/);
});

test.each([
  [-100, 0],
  [0, 0],
  [0.5, 0],
  [1, 1],
  [1.5, 1],
  [2, 2],
  [3, 2],
  [99, 2],
])("histogram bins as numpy.searchsorted(edges[1:-1], v, 'right'): %d → bin %d", (value, bin) => {
  expect(histogramBin([0, 1, 2, 3], value)).toBe(bin);
});

test("histogram counts put missing values apart", () => {
  expect(histogramCounts({ edges: [0, 1, 2, 3] }, [0.5, 1, 2.5, null, NaN, 7])).toEqual({
    counts: [1, 1, 2],
    missing: 2,
  });
});
