/**
 * What one record of a binary file (Avro, Parquet) weighs when sizing chunks: a typical event as a JSON line (a flight
 * is ~120 bytes). Sizes on disk are compressed or encoded and understate what the job holds by an order of magnitude.
 */
export const RECORD_WEIGHT_BYTES = 128;
