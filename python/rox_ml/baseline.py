"""Per-feature statistics of the training rows, kept in the model card for drift monitoring.

Numbers: histogram `edges` (the deciles of the training values, deduplicated) and `counts` per bin, where bin i holds
edges[i] <= v < edges[i+1] and the first and last bins are open-ended (transforms/score/baseline.ts bins the same way).
Categories: `counts` per category. Both: `missing` (null or NaN) and `rows`.
"""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BINS = 10


def numeric_stats(values: np.ndarray) -> dict:
    values = np.asarray(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    stats = {"kind": "number", "rows": int(values.size), "missing": int(values.size - present.size)}
    if present.size == 0:
        return {**stats, "edges": [], "counts": []}
    edges = np.unique(np.quantile(present, np.linspace(0, 1, BINS + 1)))
    return {
        **stats,
        "edges": [float(e) for e in edges],
        "counts": [int(c) for c in bin_counts(present, edges)],
        "mean": float(present.mean()),
        "min": float(present.min()),
        "max": float(present.max()),
    }


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    if edges.size < 2:
        return np.array([values.size])
    bins = np.searchsorted(edges[1:-1], values, side="right")
    return np.bincount(bins, minlength=edges.size - 1)


def category_stats(column: pa.ChunkedArray) -> dict:
    counts = {row["values"]: row["counts"] for row in pc.value_counts(column).to_pylist() if row["values"] is not None}
    missing = column.null_count
    return {"kind": "category", "rows": len(column), "missing": missing, "counts": dict(sorted(counts.items()))}
