"""Table rows as staged: the same columns and renderings as the TypeScript job's transforms/rows.ts
(timestamps as ISO-8601 UTC text with milliseconds)."""
from datetime import datetime, timedelta, timezone

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SCHEMA_NAME = "flights"


def iso_utc(millis):
    """Like JS Date.toISOString: 2001-01-01T00:01:00.000Z."""
    instant = UNIX_EPOCH + timedelta(milliseconds=millis)
    return f"{instant:%Y-%m-%dT%H:%M:%S}.{millis % 1000:03d}Z"


def run_context(job_name, run_id, started_ms):
    return {"jobName": job_name, "runId": run_id, "now": iso_utc(started_ms)}


def event_row(source, event, run):
    """source = (file, line); event = the normalized event with its features."""
    return {
        **event,
        "date": iso_utc(event["date"]),
        "_source": f"{source[0]}:{source[1]}",
        "_run_id": run["runId"],
        "_ingested_at": run["now"],
    }


def window_row(origin, start_ms, end_ms, stats, run):
    return {
        "origin": origin,
        "window_start": iso_utc(start_ms),
        "window_end": iso_utc(end_ms),
        **stats,
        "_updated_at": run["now"],
    }


def dead_letter_row(dead, run):
    return {
        "timestamp": run["now"],
        "payloadString": dead["raw"],
        "payloadBytes": None,
        "attributes": None,
        "errorMessage": dead["message"],
        "stacktrace": None,
        "errorStage": dead["stage"],
        "errorClass": dead["error_class"],
        "sourceUri": dead["file"],
        "sourceLine": dead["line"],
        "messageId": None,
        "attempt": 1,
        "schemaName": SCHEMA_NAME,
        "jobName": run["jobName"],
        "runId": run["runId"],
    }
