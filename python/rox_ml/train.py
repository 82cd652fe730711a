"""The trainer: an XGBoost regression of the model spec's target on its features, run with Vertex AI's training contract.

Reads the slice at AIP_TRAINING_DATA_URI (the feature rows the launcher exported or planned as a query: one row per
event, the window features as known before it), splits it by time (the latest rows are held out), trains, and writes
to AIP_MODEL_DIR: model.json (XGBoost's JSON, what rox's scorer loads), model.bst (for Vertex AI's prebuilt XGBoost
serving container), card.json (the features and their order, lineage, metrics, baseline statistics) and metrics.json.

    python -m rox_ml.train --spec-json '<model spec>' [--champion-dir DIR] [--table=… --run-id=… lineage flags]
"""
import argparse
import json
import os
import sys
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xgboost as xgb

from .baseline import category_stats, numeric_stats
from .data import local_path, read_slice
from .matrix import category_list, feature_matrix, feature_types, numbers

CARD_FORMAT = "rox.model-card/v1"
LINEAGE_FLAGS = ["table", "partition", "rows", "run-id", "schema", "schema-version"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rox_ml.train")
    parser.add_argument("--spec-json", required=True, help="the model spec (schemas/models/<name>.json) as JSON")
    parser.add_argument("--champion-dir", help="the current champion's folder (model.json + card.json), to compare with")
    for flag in LINEAGE_FLAGS:
        parser.add_argument(f"--{flag}")
    return parser.parse_args(argv)


def time_split(table: pa.Table, test_fraction: float) -> tuple[pa.Table, pa.Table, str]:
    """Rows before the cutoff train, the rest (the latest `test_fraction`) are held out: never a random split."""
    table = table.sort_by([("event_time", "ascending"), ("event_id", "ascending")])
    cut = int(table.num_rows * (1 - test_fraction))
    if cut <= 0 or cut >= table.num_rows:
        raise SystemExit(f"too few rows to split by time ({table.num_rows})")
    cutoff = table.column("event_time")[cut].as_py()
    before = pc.less(table.column("event_time"), pa.scalar(cutoff, table.schema.field("event_time").type))
    return table.filter(before), table.filter(pc.invert(before)), iso(cutoff)


def iso(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


def errors(predicted: np.ndarray, actual: np.ndarray) -> dict:
    diff = predicted.astype(np.float64) - actual
    return {"mae": float(np.mean(np.abs(diff))), "rmse": float(np.sqrt(np.mean(diff * diff)))}


def card_features(spec: dict, train: pa.Table) -> list[dict]:
    out = []
    for feature in spec["features"]:
        entry = dict(feature)
        if feature["kind"] == "category":
            entry["categories"] = category_list(train.column(feature["name"]))
        out.append(entry)
    return out


def train_booster(spec: dict, features: list[dict], train: pa.Table) -> xgb.Booster:
    t = spec.get("trainer", {})
    params = {
        "objective": t.get("objective", "reg:squarederror"),
        "tree_method": "hist",
        "max_depth": t.get("maxDepth", 6),
        "eta": t.get("eta", 0.1),
        "min_child_weight": t.get("minChildWeight", 1),
        "subsample": t.get("subsample", 1.0),
        "seed": t.get("seed", 0),
        "max_bin": t.get("maxBin", 256),
        "nthread": int(os.environ.get("ROX_TRAINER_THREADS", "2")),
    }
    dtrain = dmatrix(features, train, with_label=True)
    return xgb.train(params, dtrain, num_boost_round=t.get("rounds", 100))


def dmatrix(features: list[dict], table: pa.Table, with_label: bool = False) -> xgb.DMatrix:
    names = [f["name"] for f in features]
    y = labels(table) if with_label else None
    return xgb.DMatrix(feature_matrix(table, features), label=y, feature_names=names,
                       feature_types=feature_types(features), enable_categorical=True, missing=np.nan)


def labels(table: pa.Table) -> np.ndarray:
    """The target's actual values: the feature rows carry them as `label`."""
    return numbers(table.column("label"))


def champion_metrics(champion_dir: str | None, test: pa.Table) -> dict | None:
    """The champion scored on this model's held-out rows: the comparison `rox models promote` gates on."""
    if not champion_dir:
        return None
    with open(os.path.join(champion_dir, "card.json")) as f:
        card = json.load(f)
    booster = xgb.Booster()
    booster.load_model(os.path.join(champion_dir, "model.json"))  # JSON only: never a pickle
    predicted = booster.predict(dmatrix(card["features"], test))
    return {"version": card.get("version"), **errors(predicted, labels(test))}


def baseline(features: list[dict], train: pa.Table, predicted: np.ndarray) -> dict:
    stats = {}
    for feature in features:
        column = train.column(feature["name"])
        stats[feature["name"]] = category_stats(column) if feature["kind"] == "category" else numeric_stats(numbers(column))
    return {"rows": train.num_rows, "features": stats, "prediction": numeric_stats(predicted), "target": numeric_stats(labels(train))}


def lineage(args: argparse.Namespace, table: pa.Table) -> dict:
    days = sorted(v for v in pc.unique(pc.strftime(table.column("event_time"), "%Y-%m-%d")).to_pylist() if v is not None)
    runs = sorted(v for v in pc.unique(table.column("run_id")).to_pylist() if v is not None) if "run_id" in table.column_names else []
    given = {flag: getattr(args, flag.replace("-", "_")) for flag in LINEAGE_FLAGS if getattr(args, flag.replace("-", "_"))}
    return {"table": given.get("table"), "partitions": days, "runIds": runs, "rows": table.num_rows, "given": given}


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    spec = json.loads(args.spec_json)
    data_uri = required_env("AIP_TRAINING_DATA_URI")
    model_dir = local_path(required_env("AIP_MODEL_DIR"))
    table = read_slice(data_uri)
    train, test, cutoff = time_split(table, spec.get("split", {}).get("testFraction", 0.2))
    features = card_features(spec, train)
    booster = train_booster(spec, features, train)
    y_test = labels(test)
    mean = float(np.mean(labels(train)))
    metrics = {
        "evaluatedOn": "held-out",
        "trainRows": train.num_rows,
        "testRows": test.num_rows,
        "model": errors(booster.predict(dmatrix(features, test)), y_test),
        "mean": {"prediction": mean, **errors(np.full(test.num_rows, mean), y_test)},
        "champion": champion_metrics(args.champion_dir, test),
    }
    card = {
        "format": CARD_FORMAT,
        "name": spec["name"],
        "version": None,
        "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "framework": {"library": "xgboost", "version": xgb.__version__, "objective": booster_objective(booster), "modelFile": "model.json", "servingFile": "model.bst"},
        "schema": {"name": spec["schema"], "version": int(args.schema_version) if args.schema_version else None, "table": args.table},
        "target": {"name": spec["target"], "unit": spec.get("unit")},
        "features": features,
        "lineage": {**lineage(args, table), "job": os.environ.get("CLOUD_ML_JOB_ID")},
        "split": {"by": "time", "cutoff": cutoff, "train": span(train), "test": span(test)},
        "metrics": metrics,
        "baseline": baseline(features, train, booster.predict(dmatrix(features, train))),
    }
    write_outputs(model_dir, booster, card, metrics)
    report(metrics)


def booster_objective(booster: xgb.Booster) -> str:
    return json.loads(booster.save_config())["learner"]["objective"]["name"]


def span(table: pa.Table) -> dict:
    times = table.column("event_time")
    return {"rows": table.num_rows, "from": iso(pc.min(times).as_py()), "to": iso(pc.max(times).as_py())}


def write_outputs(model_dir: str, booster: xgb.Booster, card: dict, metrics: dict) -> None:
    os.makedirs(model_dir, exist_ok=True)
    booster.save_model(os.path.join(model_dir, "model.json"))
    # Vertex AI's prebuilt XGBoost serving container looks for model.bst; XGBoost writes it as UBJSON (no pickle).
    booster.save_model(os.path.join(model_dir, "model.ubj"))
    os.replace(os.path.join(model_dir, "model.ubj"), os.path.join(model_dir, "model.bst"))
    for name, doc in (("card.json", card), ("metrics.json", metrics)):
        with open(os.path.join(model_dir, name), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


def report(metrics: dict) -> None:
    m, base, champ = metrics["model"], metrics["mean"], metrics["champion"]
    line = (f"trained on {metrics['trainRows']} rows, held out the latest {metrics['testRows']}: "
            f"MAE {m['mae']:.2f} min (mean {base['mae']:.2f}), RMSE {m['rmse']:.2f} min (mean {base['rmse']:.2f})")
    if champ:
        line += f"; champion v{champ['version']}: MAE {champ['mae']:.2f}, RMSE {champ['rmse']:.2f}"
    print(line, flush=True)


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: run the trainer through `rox train` (or as a Vertex AI custom job)")
    return value


if __name__ == "__main__":
    main(sys.argv[1:])
