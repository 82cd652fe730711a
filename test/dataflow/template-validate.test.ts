import { EXIT_CODE_OF_KIND } from "../../errors/rox-error";
import { UsageError } from "../../launcher/errors";
import { parseLaunchArgs } from "../../launcher/template/launch-args";
import { buildTemplateMetadata } from "../../launcher/template/metadata";
import { REFUSED_PARAMETERS, type TemplateJob } from "../../launcher/template/parameters";
import {
  TemplateParameterError,
  validateParameters,
  type ParameterProblem,
} from "../../launcher/template/validate-parameters";

const BATCH = { input: "gs://rox-events/flights/2001-01-*.jsonl", schema: "flights", dataset: "rox_events" };
const STREAM = {
  subscription: "projects/rox-demo/subscriptions/flights-stream",
  schema: "flights",
  dataset: "rox_events",
};

function problemsOf(job: TemplateJob, values: Record<string, string>): ParameterProblem[] {
  try {
    validateParameters(buildTemplateMetadata(job), values);
    return [];
  } catch (err) {
    if (!(err instanceof TemplateParameterError)) throw err;
    return err.problems;
  }
}

describe("validateParameters", () => {
  test.each<[string, TemplateJob, Record<string, string>, ParameterProblem[]]>([
    ["batch, required only", "batch", BATCH, []],
    ["batch, every optional", "batch", { ...BATCH, format: "parquet", location: "europe-west1", replace: "true" }, []],
    ["batch, a folder prefix", "batch", { ...BATCH, input: "gs://rox-events/flights/" }, []],
    ["stream, required only", "stream", STREAM, []],
    [
      "stream, a domain-scoped project",
      "stream",
      { ...STREAM, subscription: "projects/example.com:rox-demo/subscriptions/s-1" },
      [],
    ],
    ["nothing at all", "batch", {}, ["input", "schema", "dataset"].map((name) => ({ kind: "missing", name }))],
    ["an empty required value is missing", "batch", { ...BATCH, schema: "" }, [{ kind: "missing", name: "schema" }]],
    [
      "a local path is not Cloud Storage",
      "batch",
      { ...BATCH, input: "/data/flights" },
      [
        {
          kind: "mismatch",
          name: "input",
          value: "/data/flights",
          regex: "^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$",
        },
      ],
    ],
    [
      "an unknown format",
      "batch",
      { ...BATCH, format: "xml" },
      [{ kind: "mismatch", name: "format", value: "xml", regex: "^(jsonl|csv|avro|parquet)$" }],
    ],
    [
      "replace is true or false",
      "batch",
      { ...BATCH, replace: "yes" },
      [{ kind: "mismatch", name: "replace", value: "yes", regex: "^(true|false)$" }],
    ],
    [
      "a dataset with a dash",
      "batch",
      { ...BATCH, dataset: "rox-events" },
      [{ kind: "mismatch", name: "dataset", value: "rox-events", regex: "^[A-Za-z0-9_]{1,1024}$" }],
    ],
    [
      "a schema path is not a name",
      "stream",
      { ...STREAM, schema: "../etc/passwd" },
      [{ kind: "mismatch", name: "schema", value: "../etc/passwd", regex: "^[A-Za-z0-9_-]+$" }],
    ],
    [
      "a short subscription name",
      "stream",
      { ...STREAM, subscription: "flights-stream" },
      [
        {
          kind: "mismatch",
          name: "subscription",
          value: "flights-stream",
          regex: "^projects/[a-z][a-z0-9.:-]{4,62}/subscriptions/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$",
        },
      ],
    ],
    [
      "attempts on the stream job (Dataflow reports none): refused, not ignored",
      "stream",
      { ...STREAM, maxDeliveryAttempts: "10" },
      [{ kind: "refused", name: "maxDeliveryAttempts", reason: REFUSED_PARAMETERS.stream.maxDeliveryAttempts }],
    ],
    [
      "a location on the stream job (it creates no dataset): refused, even empty",
      "stream",
      { ...STREAM, location: "" },
      [{ kind: "refused", name: "location", reason: REFUSED_PARAMETERS.stream.location }],
    ],
    [
      "a batch parameter on the stream job",
      "stream",
      { ...STREAM, input: BATCH.input },
      [{ kind: "unknown", name: "input" }],
    ],
    [
      "every problem at once",
      "stream",
      { schema: "x y", dataset: "d", typo: "1" },
      [
        { kind: "unknown", name: "typo" },
        { kind: "missing", name: "subscription" },
        { kind: "mismatch", name: "schema", value: "x y", regex: "^[A-Za-z0-9_-]+$" },
      ],
    ],
  ])("%s", (_name, job, values, expected) => {
    expect(problemsOf(job, values)).toStrictEqual(expected);
  });

  test("empty optional values are dropped, given ones kept", () => {
    expect(
      validateParameters(buildTemplateMetadata("batch"), { ...BATCH, format: "", replace: "false" }),
    ).toStrictEqual({ ...BATCH, replace: "false" });
  });

  test("the error message lists every problem, one per line", () => {
    expect(() => validateParameters(buildTemplateMetadata("batch"), { typo: "1" })).toThrow(
      'invalid parameters for "rox batch: event files to BigQuery":\n' +
        '  - unknown parameter "typo"\n  - missing required parameter "input"\n' +
        '  - missing required parameter "schema"\n  - missing required parameter "dataset"',
    );
  });
});

describe("parseLaunchArgs (the entry point's argv)", () => {
  const argv = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `--${k}=${v}`);

  test("splits template parameters from Dataflow options, camelCasing the options", () => {
    const args = parseLaunchArgs([
      ...argv(BATCH),
      "--temp_location=gs://rox-tmp/t",
      "--sdkContainerImage=r.example/w:1",
      "--no_use_public_ips",
    ]);
    expect(args).toStrictEqual({
      job: "batch",
      validateOnly: false,
      parameters: BATCH,
      pipelineOptions: { tempLocation: "gs://rox-tmp/t", sdkContainerImage: "r.example/w:1", noUsePublicIps: "true" },
    });
  });

  test.each<[string, string[], TemplateJob, boolean]>([
    ["batch by its input", argv(BATCH), "batch", false],
    ["stream by its subscription", ["--validate-only", ...argv(STREAM)], "stream", true],
    ["explicit job", ["--job=stream", ...argv(STREAM), "--validate-only=true"], "stream", true],
    ["validate-only=false launches", ["--validate-only=false", ...argv(STREAM)], "stream", false],
  ])("%s", (_name, args, job, validateOnly) => {
    const parsed = parseLaunchArgs(args);
    expect([parsed.job, parsed.validateOnly]).toStrictEqual([job, validateOnly]);
  });

  test.each<[string, string, string]>([
    [
      "a scheduled input gets the day before the launch (UTC)",
      "gs://rox-in/events/dt={date}/*.jsonl",
      "gs://rox-in/events/dt=2001-02-28/*.jsonl",
    ],
    ["every {date} is filled", "gs://rox-in/{date}/part-{date}.jsonl", "gs://rox-in/2001-02-28/part-2001-02-28.jsonl"],
    ["an input without {date} is kept", "gs://rox-in/events/x.jsonl", "gs://rox-in/events/x.jsonl"],
  ])("%s", (_name, input, expected) => {
    // 00:30 UTC on 1 March: the day that just closed is 28 February (2001 is not a leap year).
    const parsed = parseLaunchArgs(argv({ ...BATCH, input }), new Date("2001-03-01T00:30:00Z"));
    expect(parsed.parameters.input).toBe(expected);
  });

  test("a value may contain = and spaces", () => {
    const parsed = parseLaunchArgs([...argv(STREAM), '--labels={"team": "a=b"}']);
    expect(parsed.pipelineOptions).toStrictEqual({ labels: '{"team": "a=b"}' });
  });

  test.each<[string, string[], string]>([
    ["no job can be told", ["--schema=flights"], "cannot tell which job to launch"],
    ["both jobs at once", [...argv(BATCH), `--subscription=${STREAM.subscription}`], "cannot tell which job to launch"],
    ["an unknown job", ["--job=replay", ...argv(BATCH)], '--job must be one of batch, stream (got "replay")'],
    ["a positional argument", ["flights"], 'unexpected argument "flights"'],
  ])("usage error: %s", (_name, args, message) => {
    expect(() => parseLaunchArgs(args)).toThrow(UsageError);
    expect(() => parseLaunchArgs(args)).toThrow(message);
  });

  test("bad parameters are a TemplateParameterError naming each one", () => {
    expect(() =>
      parseLaunchArgs([...argv({ ...STREAM, subscription: "s" }), "--maxDeliveryAttempts=3", "--tmp_location=gs://x"]),
    ).toThrow(
      new TemplateParameterError("rox stream: Pub/Sub events to BigQuery", [
        { kind: "refused", name: "maxDeliveryAttempts", reason: REFUSED_PARAMETERS.stream.maxDeliveryAttempts },
        { kind: "unknown", name: "tmp_location" },
        {
          kind: "mismatch",
          name: "subscription",
          value: "s",
          regex: "^projects/[a-z][a-z0-9.:-]{4,62}/subscriptions/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$",
        },
      ]),
    );
  });

  test("a refused parameter stops the template before any submission: its reason, the input exit code", async () => {
    const { templateMain } = await import("../../launcher/template/template-main");
    const errors: string[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await templateMain([...argv(STREAM), "--location=EU"])).toBe(EXIT_CODE_OF_KIND.input);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n")).toContain(`"location" cannot apply: ${REFUSED_PARAMETERS.stream.location}`);
  });
});
