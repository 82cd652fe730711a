import type { EventRecord } from "../../schemas/contract";
import type { Accumulator, FeatureModule, WindowAggregator } from "./module";

/** A flight counts as delayed past this many minutes (the FAA's on-time threshold). */
export const DELAY_THRESHOLD_MINUTES = 15;

export function flightEventFeatures(event: EventRecord): Record<string, unknown> {
  const at = new Date(event.date as number);
  return {
    hour_of_day: at.getUTCHours(),
    day_of_week: at.getUTCDay(),
    route: `${event.origin}-${event.destination}`,
    is_delayed: (event.delay as number) > DELAY_THRESHOLD_MINUTES,
  };
}

function addFlight(acc: Accumulator, event: EventRecord): Accumulator {
  const delay = event.delay as number;
  return {
    flights: (acc.flights ?? 0) + 1,
    delay_sum: (acc.delay_sum ?? 0) + delay,
    max_delay: acc.max_delay === null || acc.max_delay === undefined ? delay : Math.max(acc.max_delay, delay),
    delayed_flights: (acc.delayed_flights ?? 0) + (delay > DELAY_THRESHOLD_MINUTES ? 1 : 0),
  };
}

function finishOriginHourly(acc: Accumulator): Record<string, unknown> {
  const flights = acc.flights ?? 0;
  return {
    flights,
    mean_delay: flights ? (acc.delay_sum ?? 0) / flights : null,
    max_delay: acc.max_delay,
    delayed_share: flights ? (acc.delayed_flights ?? 0) / flights : null,
  };
}

export const originHourly: WindowAggregator = {
  accumulator: { flights: "sum", delay_sum: "sum", max_delay: "max", delayed_flights: "sum" },
  add: addFlight,
  finish: finishOriginHourly,
  // INT64 / INT64 is FLOAT64 division in BigQuery and DOUBLE in DuckDB, as `/` is in JS.
  finishSql: {
    flights: "flights",
    mean_delay: "CASE WHEN flights = 0 THEN NULL ELSE delay_sum / flights END",
    max_delay: "max_delay",
    delayed_share: "CASE WHEN flights = 0 THEN NULL ELSE delayed_flights / flights END",
  },
};

export const flightsFeatures: FeatureModule = {
  eventFeatures: flightEventFeatures,
  windows: { origin_hourly: originHourly },
};
