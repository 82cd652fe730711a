"""Python Beam baseline of the flights batch job, for the batch benchmark.

    python pipeline.py --db OUT.duckdb --staging DIR [Beam options] FILE.jsonl...

Without Beam options it runs on the DirectRunner in multi_processing mode, one worker per core (the faster mode here).

Reads JSON lines -> decode -> validate -> normalize -> dedupe by event_id -> features -> events; every failed record
becomes a dead letter; events also feed an hourly per-origin aggregate. The three outputs are staged as JSON-line
files, then loaded into DuckDB. Prints one JSON line with the counts, the time and the peak RSS."""
import argparse
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions
from apache_beam.transforms.window import FixedWindows, TimestampedValue
from apache_beam.utils.timestamp import Timestamp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Workers of --direct_running_mode=multi_processing are new interpreters: they import these modules too.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")]))
import flight_events as fe  # noqa: E402
import rows  # noqa: E402
from origin_hourly import OriginHourlyStats  # noqa: E402
from warehouse import clear_staging, load_tables, staged_prefix  # noqa: E402

DEAD = "dead"
JOB_NAME = "flights-batch-python"
HOUR_SECONDS = 3600
LINES = Metrics.counter("read", "lines")
DUPLICATES = Metrics.counter("dedupe", "duplicates")


def read_numbered_lines(path):
    """Reads a file inside the pipeline (not through Create) so that each record keeps its file and line number."""
    count = 0
    uri = Path(path).resolve().as_uri()  # named like the TS job names its sources
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.rstrip("\r\n")
            if text.strip():
                count += 1
                yield uri, number, text
    LINES.inc(count)


def route(source, outcome):
    value, dead = outcome
    return [beam.pvalue.TaggedOutput(DEAD, dead)] if dead is not None else [(source, value)]


def decode(source):
    return route(source, fe.decode(source))


def validate(element, max_event_ms):
    source, fields = element
    return route(source, fe.validate(fields, source, max_event_ms))


def normalize(element):
    source, fields = element
    return source, fe.normalize(fields)


def key_by_event_id(element):
    (file, line, _), event = element
    return event["event_id"], (file, line, event)


def keep_first(keyed):
    """The earliest copy by file and line wins, whatever order GroupByKey delivers them in."""
    _, copies = keyed
    copies = list(copies)
    if len(copies) > 1:
        DUPLICATES.inc(len(copies) - 1)
    file, line, event = min(copies, key=lambda copy: (copy[0], copy[1]))
    return (file, line), event


def add_features(element):
    source, event = element
    return source, fe.add_features(event)


def event_row(element, run):
    source, event = element
    return rows.event_row(source, event, run)


def stamp_event_time(element):
    event = element[1]
    return TimestampedValue(event, Timestamp(micros=event["date"] * 1000))


def window_row(keyed, run, window=beam.DoFn.WindowParam):
    origin, stats = keyed
    return rows.window_row(origin, window.start.micros // 1000, window.end.micros // 1000, stats, run)


def to_json(row):
    return json.dumps(row, separators=(",", ":"))


def write_rows(rows, staging, table):
    encoded = rows | f"Encode {table}" >> beam.Map(to_json)
    return encoded | f"Write {table}" >> beam.io.WriteToText(staged_prefix(staging, table), file_name_suffix=".jsonl")


def build_pipeline(pipeline, files, staging, max_event_ms, run):
    lines = pipeline | "Files" >> beam.Create(files) | "Read" >> beam.FlatMap(read_numbered_lines)
    decoded = lines | "Decode" >> beam.FlatMap(decode).with_outputs(DEAD, main="ok")
    valid = decoded.ok | "Validate" >> beam.FlatMap(validate, max_event_ms).with_outputs(DEAD, main="ok")
    events = (
        valid.ok
        | "Normalize" >> beam.Map(normalize)
        | "KeyByEventId" >> beam.Map(key_by_event_id)
        | "GroupByEventId" >> beam.GroupByKey()
        | "KeepFirst" >> beam.Map(keep_first)
        | "Features" >> beam.Map(add_features)
    )
    hourly = (
        events
        | "EventTime" >> beam.Map(stamp_event_time)
        | "HourWindows" >> beam.WindowInto(FixedWindows(HOUR_SECONDS))
        | "KeyByOrigin" >> beam.Map(lambda event: (event["origin"], event["delay"]))
        | "OriginHourly" >> beam.CombinePerKey(OriginHourlyStats())
        | "WindowRow" >> beam.Map(window_row, run)
    )
    dead = (decoded[DEAD], valid[DEAD]) | "DeadLetters" >> beam.Flatten() | "DeadLetterRow" >> beam.Map(rows.dead_letter_row, run)
    write_rows(events | "EventRow" >> beam.Map(event_row, run), staging, "flights")
    write_rows(hourly, staging, "flights_origin_hourly")
    write_rows(dead, staging, "dead_letters")


def counter_value(result, name):
    found = result.metrics().query(MetricsFilter().with_name(name))["counters"]
    return sum((c.committed if c.committed is not None else c.attempted) or 0 for c in found)


def peak_rss_mb():
    """ru_maxrss is in KiB on Linux; for children it is the largest single child, not a sum."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="DuckDB database file to load the tables into")
    parser.add_argument("--staging", required=True, help="folder for the staged row files")
    parser.add_argument("files", nargs="+", help="JSON-lines flight files")
    return parser.parse_known_args(argv)


def with_default_running_mode(beam_args):
    """Measured on 1M flights, 2 cores: one worker process per core ran ~15% faster than Beam's default in_memory
    mode (at ~1.7x the memory); multi_threading lost or corrupted records. Explicit Beam options win."""
    if any(arg.startswith("--direct_running_mode") for arg in beam_args):
        return beam_args
    return ["--direct_running_mode=multi_processing", f"--direct_num_workers={os.cpu_count() or 1}", *beam_args]


def running_mode(options):
    direct = options.view_as(DirectOptions)
    return f"{direct.direct_running_mode} x{direct.direct_num_workers}"


def main(argv=None):
    args, beam_args = parse_args(argv)
    clear_staging(args.staging)
    started = time.perf_counter()
    options = PipelineOptions(with_default_running_mode(beam_args))
    pipeline = beam.Pipeline(options=options)
    now_ms = int(time.time() * 1000)  # one clock per run, like the TS job's
    run = rows.run_context(JOB_NAME, str(uuid.uuid4()), now_ms)
    build_pipeline(pipeline, [os.path.abspath(f) for f in args.files], args.staging, now_ms + fe.DAY_MS, run)
    result = pipeline.run()
    result.wait_until_finish()
    pipeline_seconds = time.perf_counter() - started
    counts = load_tables(args.db, args.staging)
    seconds = time.perf_counter() - started
    records, duplicates = counter_value(result, "lines"), counter_value(result, "duplicates")
    # Every record read is written, dead-lettered or a duplicate; anything else was lost by the runner.
    lost = records - counts["flights"] - counts["dead_letters"] - duplicates
    print(json.dumps({
        "records": records, "seconds": round(seconds, 3), "recordsPerSecond": round(records / seconds),
        "peakRssMb": peak_rss_mb(), "written": counts["flights"], "deadLettered": counts["dead_letters"],
        "duplicates": duplicates, "lost": lost, "windows": counts["flights_origin_hourly"],
        "pipelineSeconds": round(pipeline_seconds, 3), "loadSeconds": round(seconds - pipeline_seconds, 3),
        "mode": running_mode(options),
    }))
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
