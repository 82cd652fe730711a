"""The per-record steps of the flights batch job, as plain functions (no Beam): decode, validate, normalize,
features, and the hourly per-origin aggregate. Each step that can fail returns an Outcome: (value, None) or
(None, dead_letter), never raises, so the pipeline only routes results.

Mirrors the TypeScript batch job's rules and error classes (transforms/validate.ts) so the benchmark compares
runners, not work."""
import json
import re
from datetime import datetime, timedelta, timezone

MIN_EVENT_MS = 631_152_000_000  # 1990-01-01T00:00:00Z
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EVENT_ID_MAX_LENGTH = 128
AIRPORT = re.compile(r"^[A-Z]{3}$")
# An instant must say its zone (Z or an offset): a bare local time would be ambiguous.
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MILLISECOND = timedelta(milliseconds=1)
UNIX_EPOCH_WEEKDAY = 4  # 1970-01-01 was a Thursday; 0 = Sunday


def dead_letter(stage, error_class, message, source):
    file, line, raw = source
    return {"stage": stage, "error_class": error_class, "message": message, "raw": raw, "file": file, "line": line}


def decode(source):
    """source = (file, line number, raw line) -> (fields, None) | (None, dead letter)."""
    try:
        fields = json.loads(source[2])
    except ValueError as error:
        return None, dead_letter("decode", "malformed_json", str(error), source)
    if not isinstance(fields, dict):
        return None, dead_letter("decode", "not_an_object", f"expected a JSON object, got {type(fields).__name__}", source)
    return fields, None


def as_integer(value):
    """JSON numbers as JS sees them: 33.0 is the integer 33; booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def event_time_ms(value):
    """An ISO-8601 instant with a zone, or epoch milliseconds -> epoch milliseconds, else None."""
    millis = as_integer(value)
    if millis is not None:
        return millis
    if not isinstance(value, str) or not ISO_INSTANT.match(value):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (instant - UNIX_EPOCH) // ONE_MILLISECOND


def check_event_id(fields):
    value = fields.get("event_id")
    if value is None:
        return "missing_field", "event_id is missing"
    if not isinstance(value, str):
        return "wrong_type", "event_id must be a string"
    if not value:
        return "constraint.minLength", "event_id is empty"
    if len(value) > EVENT_ID_MAX_LENGTH:
        return "constraint.maxLength", f"event_id is longer than {EVENT_ID_MAX_LENGTH} characters"
    return None


def check_date(fields, max_event_ms):
    if fields.get("date") is None:
        return "missing_field", "date is missing"
    millis = event_time_ms(fields["date"])
    if millis is None:
        return "invalid_timestamp", f"date is not an ISO-8601 instant or epoch milliseconds: {fields['date']!r}"
    if millis < MIN_EVENT_MS:
        return "constraint.min", "date is before 1990-01-01"
    if millis > max_event_ms:
        return "constraint.max", "date is more than one day in the future"
    return None


def check_int(fields, name, low, high):
    if fields.get(name) is None:
        return "missing_field", f"{name} is missing"
    value = as_integer(fields[name])
    if value is None:
        return "wrong_type", f"{name} must be an integer"
    if value < low:
        return "constraint.min", f"{name} {value} is below {low}"
    if value > high:
        return "constraint.max", f"{name} {value} is above {high}"
    return None


def check_airport(fields, name):
    value = fields.get(name)
    if value is None:
        return "missing_field", f"{name} is missing"
    if not isinstance(value, str):
        return "wrong_type", f"{name} must be a string"
    if not AIRPORT.match(value):
        return "constraint.pattern", f"{name} must be three capital letters"
    return None


def check_route(fields):
    if fields["origin"] == fields["destination"]:
        return "constraint.notEqual", "origin and destination are the same airport"
    return None


def validate(fields, source, max_event_ms):
    """The first broken rule, in field order, becomes the dead letter."""
    broken = (
        check_event_id(fields)
        or check_date(fields, max_event_ms)
        or check_int(fields, "delay", -1440, 2880)
        or check_int(fields, "distance", 1, 10000)
        or check_airport(fields, "origin")
        or check_airport(fields, "destination")
        or check_route(fields)
    )
    if broken:
        return None, dead_letter("validate", broken[0], broken[1], source)
    return fields, None


def normalize(fields):
    """Only the declared fields, with the event time as UTC epoch milliseconds."""
    return {
        "event_id": fields["event_id"],
        "date": event_time_ms(fields["date"]),
        "delay": as_integer(fields["delay"]),
        "distance": as_integer(fields["distance"]),
        "origin": fields["origin"],
        "destination": fields["destination"],
    }


def add_features(event):
    millis = event["date"]
    return {
        **event,
        "hour_of_day": (millis // HOUR_MS) % 24,
        "day_of_week": (millis // DAY_MS + UNIX_EPOCH_WEEKDAY) % 7,
        "route": f"{event['origin']}-{event['destination']}",
        "is_delayed": event["delay"] > 15,
    }
