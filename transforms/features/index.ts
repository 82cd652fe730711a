import { flightsFeatures } from "./flights";
import type { FeatureModule } from "./module";

/**
 * Feature modules by the name a schema's `rox.features.module` gives. A new event type with its own features adds a
 * module here; pipelines and the launcher look modules up by name and never change.
 */
const modules: Record<string, FeatureModule> = {
  flights: flightsFeatures,
};

/** A schema without features gets this one: no per-event columns, no windows. */
const noFeatures: FeatureModule = { eventFeatures: () => ({}), windows: {} };

export function featureModule(name: string | undefined): FeatureModule {
  if (name === undefined) return noFeatures;
  const found = modules[name];
  if (!found) throw new Error(`unknown feature module "${name}" (known: ${Object.keys(modules).join(", ")})`);
  return found;
}
