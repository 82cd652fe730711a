"""The hourly per-origin aggregate of the flights job as a Beam CombineFn: flights, mean and max delay, delayed
share. Its accumulator is a tuple of integers, so partial results merge exactly in any order."""
import apache_beam as beam

DELAYED_AFTER_MINUTES = 15


class OriginHourlyStats(beam.CombineFn):
    """Accumulator: (flights, delay sum, max delay, delayed flights)."""

    def create_accumulator(self):
        return 0, 0, None, 0

    def add_input(self, accumulator, delay):
        flights, total, top, delayed = accumulator
        return flights + 1, total + delay, delay if top is None else max(top, delay), delayed + (delay > DELAYED_AFTER_MINUTES)

    def merge_accumulators(self, accumulators):
        merged = self.create_accumulator()
        for flights, total, top, delayed in accumulators:
            tops = [t for t in (merged[2], top) if t is not None]
            merged = (merged[0] + flights, merged[1] + total, max(tops) if tops else None, merged[3] + delayed)
        return merged

    def extract_output(self, accumulator):
        flights, total, top, delayed = accumulator
        return {"flights": flights, "mean_delay": total / flights, "max_delay": top, "delayed_share": delayed / flights}
