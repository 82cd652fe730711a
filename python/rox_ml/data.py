"""Reads the training slice the trainer is given: a local Parquet file, or `bq://project.dataset.table` on Vertex AI."""
import os

import pyarrow as pa
import pyarrow.parquet as pq


def read_slice(uri: str) -> pa.Table:
    if uri.startswith("bq://"):
        return read_bigquery(uri)
    if "://" in uri:
        raise ValueError(f"AIP_TRAINING_DATA_URI must be a local Parquet file or bq://project.dataset.table (got {uri})")
    return pq.read_table(uri)


def read_bigquery(uri: str) -> pa.Table:
    """The feature query the launcher planned (`ROX_TRAINING_QUERY`), else the table under `ROX_TRAINING_DATA_FILTER`."""
    from google.cloud import bigquery  # only on this path: a local run never loads a Google client

    project, dataset, table = parse_bq_uri(uri)
    query = os.environ.get("ROX_TRAINING_QUERY") or plain_query(project, dataset, table, os.environ.get("ROX_TRAINING_DATA_FILTER"))
    client = bigquery.Client(project=os.environ.get("CLOUD_ML_PROJECT_ID") or project, **emulator_options())
    return client.query(query).result().to_arrow(create_bqstorage_client=False)


def parse_bq_uri(uri: str) -> tuple[str, str, str]:
    parts = uri[len("bq://"):].split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"a BigQuery URI is bq://project.dataset.table (got {uri})")
    return parts[0], parts[1], parts[2]


def plain_query(project: str, dataset: str, table: str, condition: str | None) -> str:
    where = f" WHERE {condition}" if condition else ""
    return f"SELECT * FROM `{project}.{dataset}.{table}`{where}"


def emulator_options() -> dict:
    """`ROX_BIGQUERY_ENDPOINT` (tests: the BigQuery emulator) — plain HTTP, no credentials."""
    endpoint = os.environ.get("ROX_BIGQUERY_ENDPOINT")
    if not endpoint:
        return {}
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    return {"client_options": ClientOptions(api_endpoint=endpoint), "credentials": AnonymousCredentials()}


def local_path(uri: str) -> str:
    """Vertex AI mounts Cloud Storage at /gcs/<bucket> (Cloud Storage FUSE): `gs://b/p` is written as `/gcs/b/p`."""
    return "/gcs/" + uri[len("gs://"):] if uri.startswith("gs://") else uri
