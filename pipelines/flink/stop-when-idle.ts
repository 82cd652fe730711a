import * as fs from "fs";
import * as path from "path";

const POLL_MS = 500;

/**
 * Resolves once the staged files in `dir` have received rows and then stayed the same size for `idleMs`: a bounded
 * run of a streaming job (tests, a backfill) stops when its subscription has been drained.
 */
export function stopWhenIdle(dir: string, idleMs: number): Promise<void> {
  return new Promise((resolve) => {
    let last = -1;
    let since = Date.now();
    const timer = setInterval(() => {
      const size = stagedBytes(dir);
      if (size !== last) {
        last = size;
        since = Date.now();
      } else if (size > 0 && Date.now() - since >= idleMs) {
        clearInterval(timer);
        resolve();
      }
    }, POLL_MS);
  });
}

function stagedBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}
