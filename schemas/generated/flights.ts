// Generated from flights.avsc (rox.events.Flight, version 1).
// Do not edit: change the schema and run schemas/generate-types.ts.

/** One US domestic flight: when it departed, how late, how far, and between which airports. */
export interface Flight {
  /** Unique id of the event; the dedupe key. */
  event_id: string;
  /** Scheduled departure instant (UTC); the event time. */
  date: number /* epoch ms UTC */;
  /** Departure delay in minutes; negative when early. */
  delay: number;
  /** Great-circle distance in miles. */
  distance: number;
  /** IATA code of the departure airport. */
  origin: string;
  /** IATA code of the arrival airport. */
  destination: string;
}
