/**
 * A prediction request's instances → validated, normalized events and their event columns, through the same
 * transforms as the jobs (validate → normalize → the schema's per-event features). An instance is a raw event of the
 * model's schema; the model's target (what it predicts) may be left out.
 */
import type { Contract, EventRecord } from "../../schemas/contract";
import { featureModule } from "../../transforms/features";
import { normalizeEvent, renderEvent } from "../../transforms/normalize";
import { validateRecord } from "../../transforms/validate";
import type { Envelope } from "../../transforms/envelope";

/** Why an instance was refused: its index in `instances`, the field path, the rule broken, the validator's message. */
export interface InstanceProblem {
  index: number;
  field: string;
  rule: string;
  message: string;
}

export interface ServedEvent {
  event: EventRecord;
  /** The event as the events table holds it, plus its per-event features. */
  columns: Record<string, unknown>;
}

/** The contract an instance is checked against: the model's target becomes optional, nothing else changes. */
export function servingContract(contract: Contract, target: string): Contract {
  const fields = contract.fields.map((f) => (f.name === target ? { ...f, nullable: true } : f));
  return { ...contract, fields };
}

/** Each instance → its event, or its problem; never throws on any JSON value. */
export function readInstance(
  contract: Contract,
  instance: unknown,
  index: number,
  nowMs: number,
): ServedEvent | InstanceProblem {
  const envelope: Envelope = { payload: "", source: { uri: `instances[${index}]` }, attempt: 1 };
  const fields = instance as Record<string, unknown>;
  const validated = validateRecord(contract, { fields, envelope }, nowMs);
  if (!validated.ok) return problemOf(index, validated.dead.errorClass, validated.dead.errorMessage);
  try {
    const event = normalizeEvent(contract, validated.value);
    const columns = {
      ...renderEvent(contract, event),
      ...featureModule(contract.features?.module).eventFeatures(event),
    };
    return { event, columns };
  } catch (err) {
    return problemOf(index, "features.failed", `(record): ${(err as Error).message}`);
  }
}

export function isProblem(read: ServedEvent | InstanceProblem): read is InstanceProblem {
  return (read as InstanceProblem).rule !== undefined;
}

/** The validator's messages start with the field path: `origin: must match ^[A-Z]{3}$ (got "la")`. */
function problemOf(index: number, rule: string, message: string): InstanceProblem {
  const colon = message.indexOf(": ");
  const field = colon > 0 ? message.slice(0, colon) : "(record)";
  return { index, field, rule, message };
}
