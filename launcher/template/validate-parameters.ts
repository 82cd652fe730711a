/**
 * Checks launch parameters against a template's metadata before anything is launched: every problem at once
 * (unknown names, missing required values, values that break a regex), so one run shows the whole list to fix.
 * Pure; used by the Flex Template entry point and by the launcher before it sends a launch request.
 */
import type { TemplateMetadata } from "./metadata";
import { REFUSED_PARAMETERS, type TemplateParameter } from "./parameters";
import { RoxError } from "../../errors/rox-error";

export type ParameterProblem =
  | { kind: "unknown"; name: string }
  | { kind: "missing"; name: string }
  | { kind: "refused"; name: string; reason: string }
  | { kind: "mismatch"; name: string; value: string; regex: string };

/** Launch parameters a template would refuse; `problems` lists each one. */
export class TemplateParameterError extends RoxError {
  readonly kind = "input";
  constructor(
    readonly template: string,
    readonly problems: ParameterProblem[],
  ) {
    super(`invalid parameters for "${template}":\n${problems.map((p) => `  - ${describeProblem(p)}`).join("\n")}`);
    this.name = "TemplateParameterError";
  }
}

export function describeProblem(problem: ParameterProblem): string {
  if (problem.kind === "unknown") return `unknown parameter "${problem.name}"`;
  if (problem.kind === "missing") return `missing required parameter "${problem.name}"`;
  if (problem.kind === "refused") return `"${problem.name}" cannot apply: ${problem.reason}`;
  return `"${problem.name}" = ${JSON.stringify(problem.value)} does not match ${problem.regex}`;
}

/**
 * Returns the parameters that were given, with empty optional values dropped (a launch form sends "" for a field
 * left blank); throws TemplateParameterError listing every problem otherwise. A parameter that cannot apply to the
 * job (REFUSED_PARAMETERS) is refused with its reason, even empty: it is never accepted and ignored.
 */
export function validateParameters(
  metadata: TemplateMetadata,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const declared = new Map(metadata.parameters.map((p) => [p.name, p]));
  const refused = REFUSED_PARAMETERS[metadata.streaming ? "stream" : "batch"];
  const problems: ParameterProblem[] = Object.keys(values)
    .filter((name) => !declared.has(name))
    .map((name) =>
      Object.hasOwn(refused, name) ? { kind: "refused", name, reason: refused[name] } : { kind: "unknown", name },
    );
  const accepted: Record<string, string> = {};
  for (const parameter of metadata.parameters) {
    const value = values[parameter.name];
    if (value === undefined || value === "") {
      if (!parameter.isOptional) problems.push({ kind: "missing", name: parameter.name });
      continue;
    }
    problems.push(...regexProblems(parameter, value));
    accepted[parameter.name] = value;
  }
  if (problems.length > 0) throw new TemplateParameterError(metadata.name, problems);
  return accepted;
}

function regexProblems(parameter: TemplateParameter, value: string): ParameterProblem[] {
  return parameter.regexes
    .filter((regex) => !new RegExp(regex).test(value))
    .map((regex) => ({ kind: "mismatch", name: parameter.name, value, regex }));
}
