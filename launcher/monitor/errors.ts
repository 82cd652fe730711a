import { RoxError } from "../../errors/rox-error";

/**
 * `rox monitor deploy` cannot set up monitoring as asked: the endpoint id is malformed, the model is not deployed on
 * it, or the endpoint already has a monitoring job (Vertex AI allows one; rox refuses rather than replace it).
 */
export class MonitoringDeployError extends RoxError {
  readonly kind = "usage";
  constructor(message: string) {
    super(message);
    this.name = "MonitoringDeployError";
  }
}
