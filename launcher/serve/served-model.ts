/**
 * The model a server answers with: `name@alias|version` resolved in the registry, its scorer loaded once, its schema's
 * contract. `ModelSlot` holds the current one; `refresh` resolves the reference again and swaps in a new version when
 * the alias has moved (a request keeps the model it started with).
 */
import type { Contract } from "../../schemas/contract";
import { loadContract } from "../../schemas/load";
import type { Scorer } from "../../transforms/score/scorer";
import { windowKeysOf } from "../../transforms/score/online-features";
import { formatModelRef, type ModelRef } from "../models/model-ref";
import type { ModelRegistry, RegisteredModel } from "../models/registry";
import { servingContract } from "./instances";
import type { Warehouse } from "../../io/ports";
import type { UseWarehouse } from "../../io/window-lookup";

export interface ServedModel {
  ref: ModelRef;
  name: string;
  version: number;
  sha256: string;
  scorer: Scorer;
  /** The schema's contract with the model's target optional: what an instance is checked against. */
  contract: Contract;
}

export interface ModelSource {
  ref: ModelRef;
  /** Runs `fn` with the registry over an open warehouse. */
  withRegistry<T>(fn: (registry: ModelRegistry) => Promise<T>): Promise<T>;
  schemasDir?: string;
}

/** Resolves the reference and loads that version (files read from the model store, the card checked). */
export async function loadServedModel(source: ModelSource, known?: ServedModel): Promise<ServedModel> {
  return source.withRegistry(async (registry) => {
    const model = await registry.resolve(source.ref);
    if (known && known.version === model.version && known.sha256 === model.sha256) return known;
    return served(source, model, await registry.scorer(model));
  });
}

function served(source: ModelSource, model: RegisteredModel, scorer: Scorer): ServedModel {
  const base = loadContract(scorer.card.schema.name, { dir: source.schemasDir });
  const contract = servingContract(base, scorer.card.target.name);
  // A card naming a window its schema lacks fails here, at load, not on the first request.
  windowKeysOf(contract, scorer.card.features, { [contract.eventTimeField]: 0 });
  return { ref: source.ref, name: model.name, version: model.version, sha256: model.sha256, scorer, contract };
}

/** The current model, or none while the first one loads. */
export class ModelSlot {
  current: ServedModel | undefined;

  constructor(
    private readonly source: ModelSource,
    private readonly log: (line: string) => void,
    /** Who says so in the log line when the version changes. */
    private readonly label = "rox serve",
  ) {}

  get ref(): string {
    return formatModelRef(this.source.ref);
  }

  /** Loads (or re-resolves) the model; returns true when the version changed. */
  async refresh(): Promise<boolean> {
    const before = this.current;
    const next = await loadServedModel(this.source, before);
    if (next === before) return false;
    this.current = next;
    const from = before ? `v${before.version} → ` : "";
    this.log(`${this.label}: ${this.ref} is ${from}v${next.version}`);
    return true;
  }
}

/** A registry over the warehouse and the model store; kept out of `ModelSource` so tests can pass their own. */
export function registrySource(
  ref: ModelRef,
  useWarehouse: UseWarehouse,
  open: (warehouse: Warehouse) => ModelRegistry,
  schemasDir?: string,
): ModelSource {
  return { ref, schemasDir, withRegistry: (fn) => useWarehouse((warehouse) => fn(open(warehouse))) };
}
