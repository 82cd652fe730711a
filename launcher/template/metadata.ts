/**
 * The Flex Template artefacts, built from `parameters.ts` alone (pure): `metadata.json` (what `gcloud dataflow
 * flex-template build --metadata-file` takes) and the template spec file that `gcloud dataflow flex-template run
 * --template-file-gcs-location` reads (Dataflow's `ContainerSpec`: image, sdkInfo, metadata, defaultEnvironment).
 */
import { templateParameters, type TemplateJob, type TemplateParameter } from "./parameters";

export interface TemplateMetadata {
  name: string;
  description: string;
  parameters: TemplateParameter[];
  streaming: boolean;
  supportsAtLeastOnce?: boolean;
  supportsExactlyOnce?: boolean;
  defaultStreamingMode?: "EXACTLY_ONCE" | "AT_LEAST_ONCE";
}

/** The `FlexTemplateRuntimeEnvironment` defaults a launch starts from (a launch request may override each). */
export interface DefaultEnvironment {
  sdkContainerImage: string;
  additionalExperiments: string[];
  enableStreamingEngine?: boolean;
}

export interface TemplateSpec {
  image: string;
  sdkInfo: { language: "PYTHON" };
  metadata: TemplateMetadata;
  defaultEnvironment: DefaultEnvironment;
}

export interface TemplateImages {
  /** The launcher image (docker/launcher.Dockerfile), e.g. europe-docker.pkg.dev/p/rox/launcher:1.0.0. */
  image: string;
  /** The worker image (docker/worker.Dockerfile), handed to Dataflow as `sdkContainerImage`. */
  workerImage: string;
}

const DESCRIPTIONS: Record<TemplateJob, { name: string; description: string }> = {
  batch: {
    name: "rox batch: event files to BigQuery",
    description:
      "Reads event files (JSON lines, CSV, Avro or Parquet) from Cloud Storage, decodes, validates, normalizes and " +
      "deduplicates them against the schema, adds features and window aggregates, and writes events, window rows and " +
      "dead letters to BigQuery. Reruns of the same input add nothing.",
  },
  stream: {
    name: "rox stream: Pub/Sub events to BigQuery",
    description:
      "Reads events from a Pub/Sub subscription and runs them through the same transforms as the batch job into the " +
      "same BigQuery tables: events, window aggregates and dead letters.",
  },
};

export function buildTemplateMetadata(job: TemplateJob): TemplateMetadata {
  const metadata: TemplateMetadata = {
    ...DESCRIPTIONS[job],
    parameters: templateParameters(job).map((p) => ({ ...p, regexes: [...p.regexes] })),
    streaming: job === "stream",
  };
  if (job !== "stream") return metadata;
  // Exactly-once is Dataflow's default streaming mode and the one the job is written for; at-least-once is also
  // safe to choose, because every row carries the event id and a redelivered event is counted as a duplicate.
  return { ...metadata, supportsAtLeastOnce: true, supportsExactlyOnce: true, defaultStreamingMode: "EXACTLY_ONCE" };
}

/**
 * `sdkInfo.language` is PYTHON although the pipeline is TypeScript: Dataflow knows only JAVA, PYTHON, GO and YAML
 * (so does `gcloud … --sdk-language`), and the language tells the service how to start the launcher image. The image
 * is built on Google's Python launcher base, whose launcher runs `FLEX_TEMPLATE_PYTHON_PY_FILE`; that file is a shim
 * which execs Node on the bundled entry point (docker/launcher.Dockerfile).
 */
export function buildTemplateSpec(job: TemplateJob, images: TemplateImages): TemplateSpec {
  const defaultEnvironment: DefaultEnvironment = {
    sdkContainerImage: images.workerImage,
    // Runner v2 runs portable (non-Java, non-Python) SDK containers and cross-language transforms.
    additionalExperiments: ["use_runner_v2"],
  };
  if (job === "stream") defaultEnvironment.enableStreamingEngine = true;
  return {
    image: images.image,
    sdkInfo: { language: "PYTHON" },
    metadata: buildTemplateMetadata(job),
    defaultEnvironment,
  };
}
