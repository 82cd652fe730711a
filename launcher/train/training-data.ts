/**
 * Where a cloud trainer reads its slice when the warehouse is BigQuery, in Vertex AI's terms. Vertex sets
 * `AIP_TRAINING_DATA_URI` (`bq://project.dataset.table`) and `AIP_DATA_FORMAT` (`bigquery`) itself only for a managed
 * dataset of a TrainingPipeline; a CustomJob gets them from its container's `env`, and pipelines as parameters.
 */
export interface TrainingData {
  /** `bq://<project>.<dataset>.<table>`: a URI names a table, not a partition… */
  uri: string;
  format: "bigquery";
  /** …so the slice's day is also given as a GoogleSQL condition on the table (absent for the whole table). */
  filter?: string;
  /** A model's feature rows as one GoogleSQL query (io/feature-query.ts): what its trainer reads instead of the table. */
  query?: string;
}

/** Vertex's variables, then the filter as `ROX_TRAINING_DATA_FILTER` (a trainer's `WHERE`). */
export function trainingDataEnv(data: TrainingData): { name: string; value: string }[] {
  const env = [
    { name: "AIP_TRAINING_DATA_URI", value: data.uri },
    { name: "AIP_DATA_FORMAT", value: data.format },
  ];
  if (data.filter) env.push({ name: "ROX_TRAINING_DATA_FILTER", value: data.filter });
  return data.query ? [...env, { name: "ROX_TRAINING_QUERY", value: data.query }] : env;
}

/** The same for a pipeline's parameters (Vertex PipelineJob, Kubeflow run). */
export function trainingDataParameters(data: TrainingData): Record<string, string> {
  return {
    data_uri: data.uri,
    data_format: data.format,
    ...(data.filter ? { data_filter: data.filter } : {}),
    ...(data.query ? { data_query: data.query } : {}),
  };
}
