"""Feature rows → the matrix XGBoost sees, in the card's order: numbers as float32, categories as their codes."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def category_list(column: pa.ChunkedArray) -> list[str]:
    """The categories a model knows, sorted: their index is the code XGBoost is trained on."""
    return sorted(v for v in pc.unique(column).to_pylist() if v is not None)


def feature_matrix(table: pa.Table, features: list[dict]) -> np.ndarray:
    """Missing values (and categories the model never saw) are NaN, which XGBoost sends down each split's default branch."""
    columns = [feature_column(table, f) for f in features]
    return np.column_stack(columns).astype(np.float32) if columns else np.zeros((table.num_rows, 0), np.float32)


def feature_column(table: pa.Table, feature: dict) -> np.ndarray:
    column = table.column(feature["name"])
    if feature["kind"] == "category":
        # index_in gives null for a category the model does not know: missing, as for XGBoost itself
        column = pc.index_in(column, value_set=pa.array(feature["categories"], pa.string()))
    return numbers(column)


def numbers(column: pa.ChunkedArray) -> np.ndarray:
    """float64 values, NaN where null."""
    return pc.fill_null(column.cast(pa.float64()), np.nan).to_numpy()


def feature_types(features: list[dict]) -> list[str]:
    return ["c" if f["kind"] == "category" else "q" for f in features]
