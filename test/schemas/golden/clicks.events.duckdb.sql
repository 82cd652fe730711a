CREATE TABLE IF NOT EXISTS "clicks" (
  "click_id" VARCHAR NOT NULL,
  "ts" TIMESTAMPTZ NOT NULL,
  "user" VARCHAR NOT NULL,
  "page" VARCHAR NOT NULL,
  "device" STRUCT("os" VARCHAR, "screen_width" INTEGER) NOT NULL,
  "experiments" STRUCT("code" VARCHAR, "variant" VARCHAR)[] NOT NULL,
  "tags" VARCHAR[] NOT NULL,
  "price" DECIMAL(10, 2),
  "day" DATE,
  "received_at" TIMESTAMPTZ,
  "referrer" STRUCT("os" VARCHAR, "screen_width" INTEGER),
  "_source" VARCHAR NOT NULL,
  "_run_id" VARCHAR NOT NULL,
  "_ingested_at" TIMESTAMPTZ NOT NULL,
  PRIMARY KEY ("click_id")
);
