/** The models' typed errors; `launcher/errors.ts` maps each name to its exit code. */
import { RoxError, type ErrorKind } from "../../errors/rox-error";

/** No model, version or alias of that name in the registry (exit 3, like any input that names nothing). */
export class ModelNotFoundError extends RoxError {
  readonly kind = "input";
  constructor(message: string) {
    super(message);
    this.name = "ModelNotFoundError";
  }
}

/** A promotion the gate refused: the candidate does not beat the champion on the same held-out rows (exit 9). */
export class PromotionRefusedError extends RoxError {
  readonly kind = "refused";
  constructor(message: string) {
    super(message);
    this.name = "PromotionRefusedError";
  }
}

/** The models' Python environment (scripts/setup-ml.sh) is not installed (exit 8, a missing local tool). */
export class MlEnvironmentMissingError extends RoxError {
  readonly kind = "missing-tool";
  constructor(python: string) {
    super(`the models' Python environment is missing (${python}): run \`bash scripts/setup-ml.sh\` (npm test runs it)`);
    this.name = "MlEnvironmentMissingError";
  }
}

/**
 * `rox models promote` found the DuckDB warehouse held and left its request in the warehouse's inbox, but no running
 * job took it within `--wait` (only `rox stream --score` takes promotions): exit 9, as for any busy warehouse.
 */
export class PromotionNotTakenError extends RoxError {
  readonly kind = "busy";
  constructor(message: string) {
    super(message);
    this.name = "PromotionNotTakenError";
  }
}

/** A promotion the running job took failed there with a typed error: its message, and its kind (so its exit code). */
export class PromotionFailedInJobError extends RoxError {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "PromotionFailedInJobError";
  }
}
