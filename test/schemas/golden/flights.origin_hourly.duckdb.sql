CREATE TABLE IF NOT EXISTS "flights_origin_hourly" (
  "origin" VARCHAR NOT NULL,
  "window_start" TIMESTAMPTZ NOT NULL,
  "window_end" TIMESTAMPTZ NOT NULL,
  "flights" BIGINT,
  "mean_delay" DOUBLE,
  "max_delay" INTEGER,
  "delayed_share" DOUBLE,
  "_updated_at" TIMESTAMPTZ NOT NULL,
  PRIMARY KEY ("origin", "window_start")
);
