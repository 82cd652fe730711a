import * as fs from "fs";
import * as path from "path";

export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}

/** Files named by a path: a file, every file under a folder, or a glob (`*`, `?`, `**`), sorted by path. */
export function listInputFiles(input: string): string[] {
  if (hasGlob(input)) return listGlob(input);
  if (!fs.existsSync(input)) throw new InputError(`input not found: ${input}`);
  if (fs.statSync(input).isFile()) return [path.resolve(input)];
  return walk(path.resolve(input)).sort();
}

function hasGlob(input: string): boolean {
  return /[*?[]/.test(input);
}

function listGlob(pattern: string): string[] {
  const absolute = path.resolve(pattern);
  const root = globRoot(absolute);
  if (!fs.existsSync(root)) throw new InputError(`input not found: ${root} (from ${pattern})`);
  const matcher = globToRegExp(absolute);
  return walk(root).filter((file) => matcher.test(file)).sort();
}

/** The longest leading folder of a pattern without wildcards: where the walk starts. */
function globRoot(pattern: string): string {
  const parts = pattern.split(path.sep);
  const fixed = parts.slice(0, parts.findIndex((p) => hasGlob(p)));
  return fixed.join(path.sep) || path.sep;
}

export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      source += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // Hidden files, and Hadoop/Spark markers such as _SUCCESS, are not data.
    if (entry.name.startsWith(".") || entry.name.startsWith("_")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
