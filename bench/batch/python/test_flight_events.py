"""Unit tests of the baseline's per-record steps (stdlib only):
python -m unittest discover -s bench/batch/python"""
import json
import unittest

import flight_events as fe
import rows

GOOD = {"event_id": "flights-3m:1", "date": "2001-01-01T00:01:00Z", "delay": 33, "distance": 2176,
        "origin": "LAS", "destination": "PHL"}
MAX_EVENT_MS = 4_102_444_800_000  # 2100-01-01: a fixed clock keeps the tests stable
SOURCE = ("file:///in.jsonl", 7, "raw line")


def with_changes(**changes):
    return {**GOOD, **changes}


class DecodeTest(unittest.TestCase):
    def test_bad_lines_become_decode_dead_letters(self):
        for raw, error_class in (("not json", "malformed_json"), ("[1, 2]", "not_an_object"), ('"x"', "not_an_object")):
            fields, dead = fe.decode(("f", 3, raw))
            self.assertIsNone(fields)
            self.assertEqual((dead["stage"], dead["error_class"], dead["raw"], dead["line"]), ("decode", error_class, raw, 3))

    def test_an_object_decodes(self):
        self.assertEqual(fe.decode(("f", 1, json.dumps(GOOD))), (GOOD, None))


class ValidateTest(unittest.TestCase):
    CASES = [
        ({"event_id": None}, "missing_field"),
        ({"event_id": 5}, "wrong_type"),
        ({"event_id": ""}, "constraint.minLength"),
        ({"event_id": "x" * 129}, "constraint.maxLength"),
        ({"date": "2001-01-01T00:01:00"}, "invalid_timestamp"),
        ({"date": "yesterday"}, "invalid_timestamp"),
        ({"date": "1989-12-31T23:59:59Z"}, "constraint.min"),
        ({"date": "2100-01-02T00:00:00Z"}, "constraint.max"),
        ({"delay": "33"}, "wrong_type"),
        ({"delay": True}, "wrong_type"),
        ({"delay": 2881}, "constraint.max"),
        ({"delay": -1441}, "constraint.min"),
        ({"distance": 12.5}, "wrong_type"),
        ({"distance": 0}, "constraint.min"),
        ({"distance": 10001}, "constraint.max"),
        ({"origin": "la"}, "constraint.pattern"),
        ({"destination": 3}, "wrong_type"),
        ({"destination": "LAS"}, "constraint.notEqual"),
    ]

    def test_each_broken_rule_becomes_its_dead_letter(self):
        for changes, error_class in self.CASES:
            with self.subTest(changes=changes):
                fields = {k: v for k, v in with_changes(**changes).items() if v is not None}
                value, dead = fe.validate(fields, SOURCE, MAX_EVENT_MS)
                self.assertIsNone(value)
                self.assertEqual((dead["stage"], dead["error_class"]), ("validate", error_class))

    def test_valid_forms_pass(self):
        for changes in ({}, {"date": 978307260000}, {"date": "2001-01-01T01:01:00+01:00"}, {"delay": 33.0}):
            with self.subTest(changes=changes):
                self.assertIsNone(fe.validate(with_changes(**changes), SOURCE, MAX_EVENT_MS)[1])


class NormalizeAndFeaturesTest(unittest.TestCase):
    def test_offsets_and_epoch_milliseconds_name_the_same_instant(self):
        for date in ("2001-01-01T00:01:00Z", "2000-12-31T19:01:00-05:00", 978307260000, "2001-01-01T00:01:00.000Z"):
            self.assertEqual(fe.normalize(with_changes(date=date))["date"], 978_307_260_000)

    def test_features_in_utc(self):
        event = fe.add_features(fe.normalize(with_changes(date="2000-12-31T23:30:00Z", delay=16)))
        self.assertEqual(
            {k: event[k] for k in ("hour_of_day", "day_of_week", "route", "is_delayed")},
            {"hour_of_day": 23, "day_of_week": 0, "route": "LAS-PHL", "is_delayed": True},
        )

    def test_rows_render_times_like_javascript(self):
        self.assertEqual(rows.iso_utc(978_307_260_005), "2001-01-01T00:01:00.005Z")
        self.assertEqual(rows.iso_utc(-1), "1969-12-31T23:59:59.999Z")


if __name__ == "__main__":
    unittest.main()
