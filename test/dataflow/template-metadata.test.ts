import { buildTemplateMetadata, buildTemplateSpec } from "../../launcher/template/metadata";
import { TEMPLATE_JOBS, templateParameters, JOB_BY_PARAMETER } from "../../launcher/template/parameters";
import { isDataflowOption } from "../../pipelines/dataflow/pipeline-options";
import { templateJson } from "../../launcher/template/build";
import { TemplateParameterError, validateParameters } from "../../launcher/template/validate-parameters";
import { streamScoreOf } from "../../pipelines/dataflow/stream-score-graph";
import { RunnerChoiceError } from "../../pipelines/runner-choice";
import { expectTemplateGolden, GOLDEN_IMAGES } from "./template-golden";

describe.each(TEMPLATE_JOBS)("%s template (golden)", (job) => {
  test("metadata.json", () => {
    expectTemplateGolden(`${job}.metadata.json`, templateJson(buildTemplateMetadata(job)));
  });

  test("spec.json", () => {
    expectTemplateGolden(`${job}.spec.json`, templateJson(buildTemplateSpec(job, GOLDEN_IMAGES)));
  });
});

describe.each(TEMPLATE_JOBS)("%s parameters", (job) => {
  const parameters = templateParameters(job);

  test("names are unique and clash with no Dataflow option nor the entry point's own flags", () => {
    const names = parameters.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => isDataflowOption(n) || n === "job" || n === "validate-only")).toStrictEqual([]);
  });

  test("every regex compiles and is anchored at both ends", () => {
    for (const { regexes } of parameters) {
      expect(regexes.length).toBeGreaterThan(0);
      for (const regex of regexes) {
        expect(() => new RegExp(regex)).not.toThrow();
        expect([regex.startsWith("^"), regex.endsWith("$")]).toStrictEqual([true, true]);
      }
    }
  });

  test("enum options and default values pass the parameter's own regexes", () => {
    for (const p of parameters) {
      const values = [
        ...(p.enumOptions ?? []).map((o) => o.value),
        ...(p.defaultValue === undefined ? [] : [p.defaultValue]),
      ];
      for (const value of values)
        expect({ name: p.name, value, ok: p.regexes.every((r) => new RegExp(r).test(value)) }).toStrictEqual({
          name: p.name,
          value,
          ok: true,
        });
    }
  });

  test("the job's discriminating parameter is required here and absent from the other job", () => {
    const own = Object.keys(JOB_BY_PARAMETER).filter((name) => JOB_BY_PARAMETER[name] === job);
    expect(own).toHaveLength(1);
    expect(parameters.find((p) => p.name === own[0])?.isOptional).toBe(false);
    const others = TEMPLATE_JOBS.filter((j) => j !== job).flatMap((j) => templateParameters(j).map((p) => p.name));
    expect(others).not.toContain(own[0]);
  });
});

test("only the stream template is streaming, with both streaming modes", () => {
  const flags = (job: (typeof TEMPLATE_JOBS)[number]) => {
    const m = buildTemplateMetadata(job);
    return [m.streaming, m.supportsAtLeastOnce, m.supportsExactlyOnce];
  };
  expect(flags("batch")).toStrictEqual([false, undefined, undefined]);
  expect(flags("stream")).toStrictEqual([true, true, true]);
});

test("the spec carries both images and asks for Runner v2", () => {
  const spec = buildTemplateSpec("batch", { image: "r.example/p/launcher:7", workerImage: "r.example/p/worker:7" });
  expect([
    spec.image,
    spec.defaultEnvironment.sdkContainerImage,
    spec.defaultEnvironment.additionalExperiments,
  ]).toStrictEqual(["r.example/p/launcher:7", "r.example/p/worker:7", ["use_runner_v2"]]);
});

describe("the stream template's scoring parameters (rox stream --score on Dataflow)", () => {
  const stream = buildTemplateMetadata("stream");
  const base = { subscription: "projects/rox-test/subscriptions/flights-stream", schema: "flights", dataset: "rox" };
  const scoring = { model: "flights-delay", modelVersion: "3", modelUri: "gs://rox-models/models/flights-delay/v3" };
  const who = { schema: "flights", table: "flights", jobName: "j", runId: "r", nowMs: 0 };

  test("optional on the stream, absent from the batch; values checked by their regexes", () => {
    const names = templateParameters("stream").map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["model", "modelVersion", "modelUri", "windowCacheSeconds"]));
    expect(templateParameters("batch").map((p) => p.name)).not.toContain("model");
    expect(validateParameters(stream, { ...base, ...scoring, windowCacheSeconds: "10" })).toStrictEqual({
      ...base,
      ...scoring,
      windowCacheSeconds: "10",
    });
    const bad = { ...base, model: "Flights", modelVersion: "0", modelUri: "/local/v3", windowCacheSeconds: "0" };
    const problems = (() => {
      try {
        validateParameters(stream, bad);
        return [];
      } catch (err) {
        return (err as TemplateParameterError).problems.map((p) => [p.kind, p.name]);
      }
    })();
    expect(problems).toStrictEqual([
      ["mismatch", "model"],
      ["mismatch", "modelVersion"],
      ["mismatch", "modelUri"],
      ["mismatch", "windowCacheSeconds"],
    ]);
  });

  test("the graph's settings: none without a model, the pinned version with one, a partial set refused", () => {
    const project = { project: "rox-test", dataset: "rox" };
    expect(streamScoreOf({ ...base, ...project }, who)).toBeUndefined();
    expect(streamScoreOf({ ...base, ...project, ...scoring }, who)).toStrictEqual({
      ...who,
      schemasDir: undefined,
      model: "flights-delay",
      modelVersion: 3,
      modelDir: scoring.modelUri,
      storage: { projectId: "rox-test", apiEndpoint: undefined },
      lookup: { target: { kind: "bigquery", projectId: "rox-test", dataset: "rox" }, ttlMs: 30_000 },
    });
    const { modelUri: _uri, ...noUri } = scoring;
    expect(() => streamScoreOf({ ...base, ...project, ...noUri }, who)).toThrow(
      new RunnerChoiceError("the scoring stream needs --modelUri"),
    );
    expect(() => streamScoreOf({ ...base, ...project, ...scoring, modelVersion: "v3" }, who)).toThrow(
      RunnerChoiceError,
    );
  });
});
