import type { Contract } from "../../schemas/contract";
import { SchemaError } from "../../schemas/schema-error";
import { flightsFeatures } from "./flights";
import type { FeatureModule, WindowAggregator } from "./module";

/**
 * Feature modules by the name a schema's `rox.features.module` gives. A new event type with its own features adds a
 * module here; pipelines and the launcher look modules up by name and never change.
 */
const modules: Record<string, FeatureModule> = {
  flights: flightsFeatures,
};

/** A schema without features gets this one: no per-event columns, no windows. */
const noFeatures: FeatureModule = { eventFeatures: () => ({}), windows: {} };

/** The module a schema names; an unknown name (`constructor` included: own keys only) is a SchemaError. */
export function featureModule(name: string | undefined): FeatureModule {
  if (name === undefined) return noFeatures;
  if (!Object.hasOwn(modules, name)) {
    const known = Object.keys(modules).join(", ");
    const message = `rox.features.module: unknown feature module "${name}" (known: ${known})`;
    throw new SchemaError("invalid_attribute", message);
  }
  return modules[name];
}

/** The aggregator of one of the contract's windows; a window its module does not implement is a SchemaError. */
export function windowAggregator(contract: Contract, window: string): WindowAggregator {
  const windows = featureModule(contract.features?.module).windows;
  if (!Object.hasOwn(windows, window)) {
    const module = contract.features?.module ?? "(none)";
    const where = `${contract.sourcePath ?? contract.name}: window "${window}"`;
    throw new SchemaError("invalid_attribute", `${where}: feature module "${module}" has no aggregator by that name`);
  }
  return windows[window];
}

/**
 * Run by every job before it reads a record: the schema's feature module exists and implements each declared window.
 * Otherwise every record would become a `features` dead letter, or the warehouse set-up would fail half-way.
 */
export function checkFeatureModule(contract: Contract): void {
  try {
    for (const window of contract.features?.windows ?? []) windowAggregator(contract, window.name);
    featureModule(contract.features?.module);
  } catch (err) {
    if (err instanceof SchemaError && !err.message.startsWith(`${contract.sourcePath ?? contract.name}:`)) {
      throw new SchemaError(err.reason, `${contract.sourcePath ?? contract.name}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
