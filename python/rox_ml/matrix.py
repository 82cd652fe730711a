"""Feature rows → the matrix XGBoost sees, in the card's order: numbers as float32, categories as their codes."""
import numpy as np
import pyarrow as pa


def category_list(column: pa.ChunkedArray) -> list[str]:
    """The categories a model knows, sorted: their index is the code XGBoost is trained on."""
    return sorted({v for v in column.to_pylist() if v is not None})


def feature_matrix(table: pa.Table, features: list[dict]) -> np.ndarray:
    """Missing values (and categories the model never saw) are NaN, which XGBoost sends down each split's default branch."""
    columns = [feature_column(table, f) for f in features]
    return np.column_stack(columns).astype(np.float32) if columns else np.zeros((table.num_rows, 0), np.float32)


def feature_column(table: pa.Table, feature: dict) -> np.ndarray:
    values = table.column(feature["name"]).to_pylist()
    if feature["kind"] == "category":
        codes = {c: i for i, c in enumerate(feature["categories"])}
        return np.array([codes.get(v, np.nan) if v is not None else np.nan for v in values], dtype=np.float64)
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def feature_types(features: list[dict]) -> list[str]:
    return ["c" if f["kind"] == "category" else "q" for f in features]
