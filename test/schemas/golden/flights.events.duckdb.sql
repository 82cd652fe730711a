CREATE TABLE IF NOT EXISTS "flights" (
  "event_id" VARCHAR NOT NULL,
  "date" TIMESTAMPTZ NOT NULL,
  "delay" INTEGER NOT NULL,
  "distance" INTEGER NOT NULL,
  "origin" VARCHAR NOT NULL,
  "destination" VARCHAR NOT NULL,
  "hour_of_day" INTEGER,
  "day_of_week" INTEGER,
  "route" VARCHAR,
  "is_delayed" BOOLEAN,
  "_source" VARCHAR NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  PRIMARY KEY ("event_id")
);
