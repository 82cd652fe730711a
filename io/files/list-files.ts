import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { SkippedInput } from "../ports";
import { InputError } from "../errors";

/** What a path names: the files to read, and what was passed over (hidden, a marker, a symlink) with the reason. */
export interface InputListing {
  files: string[];
  skipped: SkippedInput[];
}

/** Files named by a path: a file, every file under a folder, or a glob (`*`, `?`, `**`), sorted by path. */
export function listInputFiles(input: string): string[] {
  return listInputs(input).files;
}

/**
 * `listInputFiles`, and what it skipped: below a folder, names starting with `.` or `_` (hidden files, `_SUCCESS`
 * markers, what is inside `_temporary/`), symbolic links (never followed: one could point anywhere) and anything that
 * is not a regular file or folder. For a glob, only what the glob names is reported. A path naming a file is read,
 * whatever its name.
 */
export function listInputs(input: string): InputListing {
  if (hasGlob(input)) return listGlob(input);
  const stats = fs.statSync(input, { throwIfNoEntry: false });
  if (!stats) throw new InputError(`input not found: ${input}`);
  if (stats.isFile()) return { files: [path.resolve(input)], skipped: [] };
  if (!stats.isDirectory()) throw new InputError(`input ${input} is neither a regular file nor a folder`);
  const { files, skipped } = walk(path.resolve(input));
  return { files: files.sort(), skipped: skipped.map(toSkipped) };
}

function hasGlob(input: string): boolean {
  return /[*?[]/.test(input);
}

function listGlob(pattern: string): InputListing {
  const absolute = path.resolve(pattern);
  const root = globRoot(absolute);
  if (!fs.existsSync(root)) throw new InputError(`input not found: ${root} (from ${pattern})`);
  const matcher = globToRegExp(absolute);
  const { files, skipped } = walk(root);
  const named = skipped.filter(
    (entry) => matcher.test(entry.path) || (entry.link && globMayReachBelow(absolute, root, entry.path)),
  );
  return { files: files.filter((file) => matcher.test(file)).sort(), skipped: named.map(toSkipped) };
}

/** The longest leading folder of a pattern without wildcards: where the walk starts. */
function globRoot(pattern: string): string {
  const parts = pattern.split(path.sep);
  const fixed = parts.slice(
    0,
    parts.findIndex((p) => hasGlob(p)),
  );
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

/** Whether files below a (linked) folder could match the glob: its segments match the glob's, or a `**` comes first. */
function globMayReachBelow(pattern: string, root: string, folder: string): boolean {
  const globSegments = path.relative(root, pattern).split(path.sep);
  const folderSegments = path.relative(root, folder).split(path.sep);
  for (const [i, segment] of folderSegments.entries()) {
    const glob = globSegments[i];
    if (glob === undefined || i === globSegments.length - 1) return glob?.includes("**") ?? false;
    if (glob.includes("**")) return true;
    if (!globToRegExp(glob).test(segment)) return false;
  }
  return true;
}

interface SkippedEntry {
  path: string;
  /** A symbolic link may point at a folder: a glob may name what is below it. */
  link: boolean;
  reason: string;
}

/**
 * Regular files to read below `dir`, and every entry passed over with its reason. A hidden or marker folder is walked
 * too, its files reported one by one (as Cloud Storage lists them); a symbolic link is reported, never followed.
 */
function walk(dir: string, skippedFolder?: string): { files: string[]; skipped: SkippedEntry[] } {
  const files: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const entry of readFolder(dir)) {
    const full = path.join(dir, entry.name);
    const reason = entry.isSymbolicLink() ? SYMLINK : (skippedFolder ?? skipReason(entry));
    if (entry.isDirectory() && !entry.isSymbolicLink()) {
      const below = walk(full, skippedFolder ?? (reason && `inside ${entry.name}/, ${reason}`));
      files.push(...below.files);
      skipped.push(...below.skipped);
    } else if (reason) skipped.push({ path: full, link: entry.isSymbolicLink(), reason });
    else files.push(full);
  }
  return { files, skipped };
}

const SYMLINK = "a symbolic link (not followed)";

function readFolder(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(`cannot list ${dir}: ${why}`, { cause: err });
  }
}

/** Why an entry below the input folder is not read, or undefined when it is a regular file or folder to read. */
function skipReason(entry: fs.Dirent): string | undefined {
  // Hidden files, and Hadoop/Spark markers such as _SUCCESS or _temporary/, are not data.
  if (entry.name.startsWith(".")) return 'hidden (its name starts with ".")';
  if (entry.name.startsWith("_")) return 'a marker or temporary name such as _SUCCESS (it starts with "_")';
  if (!entry.isDirectory() && !entry.isFile()) return "not a regular file";
  return undefined;
}

function toSkipped(entry: SkippedEntry): SkippedInput {
  return { uri: pathToFileURL(entry.path).href, reason: entry.reason };
}
