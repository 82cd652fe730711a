import type { TreeEnsemble } from "./xgboost-json";

/**
 * The model's prediction for one feature vector, as XGBoost computes it: each tree is walked with float32 comparisons
 * (`x < threshold` goes left; NaN takes the node's default branch; a category code goes right when it is in the
 * node's set, left otherwise), and the leaves are summed in float32 onto the base margin, then the link applies.
 */
export function predictOne(model: TreeEnsemble, x: Float32Array): number {
  let margin = model.baseMargin;
  const { roots, left, right, feature, value, defaultLeft, categorySet, categorySets } = model;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t];
    while (left[node] !== -1) {
      const v = x[feature[node]];
      if (Number.isNaN(v)) node = defaultLeft[node] ? left[node] : right[node];
      else {
        const set = categorySet[node];
        if (set < 0) node = v < value[node] ? left[node] : right[node];
        else node = v >= 0 && categorySets[set].has(v) ? right[node] : left[node];
      }
    }
    margin = Math.fround(margin + value[node]);
  }
  return applyLink(model.link, margin);
}

function applyLink(link: TreeEnsemble["link"], margin: number): number {
  if (link === "identity") return margin;
  if (link === "log") return Math.fround(Math.exp(margin));
  return Math.fround(1 / (1 + Math.exp(-margin)));
}
