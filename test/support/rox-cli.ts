import { execFile } from "child_process";
import * as path from "path";

const ROX = path.resolve(__dirname, "..", "..", "bin", "rox.js");

/** Runs the compiled CLI; resolves with its exit code and output, whatever the code. */
export function runRox(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", [ROX, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every non-empty line of the output as a parsed entry (a line that does not parse fails the test here). */
export function entriesOf(...outputs: string[]): Record<string, unknown>[] {
  return outputs.flatMap((o) =>
    o
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line)),
  );
}
