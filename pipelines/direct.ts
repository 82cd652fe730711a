import "../transforms/beam/sdk";
import type { Root } from "../transforms/beam/sdk";
import type { PipelineResult } from "apache-beam/runners/runner";
import { directRunner } from "apache-beam/runners/direct_runner";

/**
 * Runs a pipeline on the DirectRunner. Chosen explicitly: `createRunner()` would quietly fall back to a Python job
 * server fetched from PyPI when the DirectRunner cannot run a graph. The SDK prints a debug line per bundle, which
 * would interleave with the progress line of every chunk, so that one line is dropped while the run lasts.
 */
export async function runDirect(pipeline: (root: Root) => void): Promise<PipelineResult> {
  const debug = console.debug;
  console.debug = (...args: unknown[]) => {
    if (args[0] !== "Processing ") debug(...args);
  };
  try {
    return await directRunner().run(pipeline);
  } finally {
    console.debug = debug;
  }
}
