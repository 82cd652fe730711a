CREATE TABLE IF NOT EXISTS "dead_letters" (
  "timestamp" TIMESTAMPTZ NOT NULL,
  "payloadString" VARCHAR,
  "payloadBytes" BLOB,
  "attributes" VARCHAR,
  "errorMessage" VARCHAR NOT NULL,
  "stacktrace" VARCHAR,
  "errorStage" VARCHAR NOT NULL,
  "errorClass" VARCHAR NOT NULL,
  "sourceUri" VARCHAR NOT NULL,
  "sourceLine" BIGINT,
  "messageId" VARCHAR,
  "attempt" BIGINT NOT NULL,
  "records" BIGINT,
  "schemaName" VARCHAR NOT NULL,
  "jobName" VARCHAR NOT NULL,
  "runId" VARCHAR NOT NULL
);
