/**
 * XGBoost's own JSON model format (`Booster.save_model("model.json")`) → a flat tree ensemble the scorer walks. Only
 * this documented, data-only format is read (never a pickle): anything else is a ModelFormatError at load time.
 */
import { ModelFormatError } from "./model-card";

/** How the summed margin becomes a prediction (XGBoost's objective's PredTransform). */
export type Link = "identity" | "log" | "logistic";

/** All trees in one set of typed arrays; a tree's nodes are `roots[t] … ` with children as absolute indexes. */
export interface TreeEnsemble {
  featureNames: string[];
  /** The starting margin (base_score in margin space), as float32. */
  baseMargin: number;
  link: Link;
  objective: string;
  roots: Int32Array;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** Split threshold, or the leaf's value for a leaf (float32, as XGBoost keeps them). */
  value: Float32Array;
  defaultLeft: Uint8Array;
  /** For a categorical split, the index of its set in `categorySets` (the codes that go right); -1 for numeric. */
  categorySet: Int32Array;
  categorySets: Set<number>[];
}

const LINKS: Record<string, Link> = {
  "reg:squarederror": "identity",
  "reg:absoluteerror": "identity",
  "reg:pseudohubererror": "identity",
  "reg:squaredlogerror": "identity",
  "reg:linear": "identity",
  "reg:quantileerror": "identity",
  "count:poisson": "log",
  "reg:gamma": "log",
  "reg:tweedie": "log",
  "binary:logistic": "logistic",
  "reg:logistic": "logistic",
};

interface JsonTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: (number | boolean)[];
  split_type?: number[];
  categories?: number[];
  categories_nodes?: number[];
  categories_segments?: number[];
  categories_sizes?: number[];
}

/** Parses `model.json` text. */
export function parseXgboostJson(text: string): TreeEnsemble {
  let doc: { learner?: Record<string, unknown> };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new ModelFormatError(`model.json is not JSON: ${(err as Error).message}`);
  }
  const learner = doc.learner as
    | {
        gradient_booster?: { name?: string; model?: { trees?: JsonTree[]; tree_info?: number[] } };
        learner_model_param?: Record<string, string>;
        objective?: { name?: string };
        feature_names?: string[];
      }
    | undefined;
  if (!learner) throw new ModelFormatError("model.json has no learner: not an XGBoost JSON model");
  const booster = learner.gradient_booster;
  if (booster?.name !== "gbtree")
    throw new ModelFormatError(`only gbtree boosters are supported (got ${JSON.stringify(booster?.name)})`);
  const params = learner.learner_model_param ?? {};
  if (Number(params.num_class ?? 0) > 1 || Number(params.num_target ?? 1) > 1)
    throw new ModelFormatError("multi-class and multi-target models are not supported");
  const objective = learner.objective?.name ?? "";
  const link = LINKS[objective];
  if (!link) throw new ModelFormatError(`objective ${JSON.stringify(objective)} is not supported`);
  const trees = booster.model?.trees;
  if (!Array.isArray(trees)) throw new ModelFormatError("model.json lists no trees");
  return {
    ...flatten(trees),
    featureNames: learner.feature_names ?? [],
    baseMargin: baseMargin(params.base_score, link),
    link,
    objective,
  };
}

/** base_score is stored in output space ("5E-1", or "[1.05E1]" since XGBoost 3): the margin starts at its link inverse. */
function baseMargin(raw: string | undefined, link: Link): number {
  const score = Number(String(raw ?? "0").replace(/^\[|\]$/g, ""));
  if (!Number.isFinite(score)) throw new ModelFormatError(`base_score ${JSON.stringify(raw)} is not a number`);
  if (link === "log") return Math.fround(Math.log(score));
  if (link === "logistic") return Math.fround(-Math.log(1 / score - 1));
  return Math.fround(score);
}

function flatten(trees: JsonTree[]): Omit<TreeEnsemble, "featureNames" | "baseMargin" | "link" | "objective"> {
  const total = trees.reduce((n, t) => n + checkTree(t), 0);
  const out = {
    roots: new Int32Array(trees.length),
    left: new Int32Array(total),
    right: new Int32Array(total),
    feature: new Int32Array(total),
    value: new Float32Array(total),
    defaultLeft: new Uint8Array(total),
    // Typed, not a sparse array of sets: a holey array falls into dictionary mode and makes every node lookup slow.
    categorySet: new Int32Array(total).fill(-1),
    categorySets: [] as Set<number>[],
  };
  let base = 0;
  trees.forEach((tree, t) => {
    out.roots[t] = base;
    const n = tree.left_children.length;
    for (let i = 0; i < n; i++) {
      const leaf = tree.left_children[i] === -1;
      out.left[base + i] = leaf ? -1 : base + tree.left_children[i];
      out.right[base + i] = leaf ? -1 : base + tree.right_children[i];
      out.feature[base + i] = tree.split_indices[i];
      out.value[base + i] = tree.split_conditions[i];
      out.defaultLeft[base + i] = tree.default_left[i] ? 1 : 0;
    }
    (tree.categories_nodes ?? []).forEach((node, k) => {
      const start = tree.categories_segments![k];
      out.categorySet[base + node] =
        out.categorySets.push(new Set(tree.categories!.slice(start, start + tree.categories_sizes![k]))) - 1;
    });
    base += n;
  });
  return out;
}

function checkTree(tree: JsonTree): number {
  const n = tree.left_children?.length;
  const arrays = [tree.right_children, tree.split_indices, tree.split_conditions, tree.default_left];
  if (!n || arrays.some((a) => !Array.isArray(a) || a.length !== n))
    throw new ModelFormatError("a tree's node arrays are missing or of different lengths");
  for (let i = 0; i < n; i++) {
    const [l, r] = [tree.left_children[i], tree.right_children[i]];
    if (l !== -1 && !(l > i && l < n && r > i && r < n))
      throw new ModelFormatError(`tree node ${i} has children outside the tree`);
  }
  return n;
}
