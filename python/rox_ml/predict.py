"""XGBoost's own predictions for feature rows: the reference the TypeScript scorer is checked against (parity test)
and timed against (bench/score).

    python -m rox_ml.predict --model-dir DIR --rows features.parquet --out predictions.json [--repeat N]

Writes {"event_ids": [...], "predictions": [...], "seconds": [per repeat], "dmatrixSeconds": [per repeat]}: `seconds`
time `predict` alone on a DMatrix built just before (never a cached one), `dmatrixSeconds` the building of it.
"""
import argparse
import json
import os
import time

import pyarrow.parquet as pq
import xgboost as xgb

from .train import dmatrix


def main() -> None:
    parser = argparse.ArgumentParser(prog="rox_ml.predict")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--rows", required=True, help="feature rows as Parquet (io/feature-query.ts columns)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with open(os.path.join(args.model_dir, "card.json")) as f:
        card = json.load(f)
    booster = xgb.Booster()
    booster.load_model(os.path.join(args.model_dir, "model.json"))  # XGBoost's JSON: no pickle
    booster.set_param({"nthread": int(os.environ.get("ROX_TRAINER_THREADS", "1"))})
    table = pq.read_table(args.rows)
    seconds, built = [], []
    for _ in range(max(args.repeat, 1)):
        # A fresh DMatrix each time: XGBoost caches predictions per DMatrix, and a cached answer is not a prediction.
        started = time.perf_counter()
        matrix = dmatrix(card["features"], table)
        built.append(time.perf_counter() - started)
        started = time.perf_counter()
        predictions = booster.predict(matrix)
        seconds.append(time.perf_counter() - started)
    with open(args.out, "w") as f:
        json.dump({"event_ids": table.column("event_id").to_pylist(), "predictions": [float(p) for p in predictions], "seconds": seconds, "dmatrixSeconds": built}, f)


if __name__ == "__main__":
    main()
