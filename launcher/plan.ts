/**
 * One cloud action, described completely before anything is sent: the API, the method and the exact request. Every
 * cloud command builds its plans with pure functions (golden-tested), prints them with `--dry-run`, and otherwise hands
 * them to an `apply` that sends exactly that request.
 */
export interface Plan<Request = unknown> {
  /** What the action does, in one line, for people. */
  summary: string;
  /** The API service, fully qualified as in its proto: `google.dataflow.v1beta3.FlexTemplatesService`, or `kubeflow.pipelines.v2beta1` for REST. */
  service: string;
  /** The RPC (`LaunchFlexTemplate`) or, for REST, `POST /apis/v2beta1/runs`. */
  method: string;
  request: Request;
}

/** `--dry-run` output: the plans as JSON, one document, stable key order as built. */
export function renderPlans(plans: readonly Plan[]): string {
  return JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2);
}
