/**
 * Finding input files (a folder stands for the files under it) and writing outputs.
 * @module
 */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { CodegenError, InputNotFoundError } from '../errors.js';

/**
 * Expands inputs to files: a file stays as given; a folder becomes the files under it (recursively)
 * whose extension is in `extensions`, sorted by path. Throws `InputNotFoundError` for a missing path.
 */
export async function expandInputs(inputs: readonly string[], extensions: readonly string[], exclude: (path: string) => boolean = () => false): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch (err) {
      throw new InputNotFoundError(input, err);
    }
    if (info.isDirectory()) files.push(...(await walk(input, extensions, exclude)));
    else files.push(input);
  }
  return [...new Set(files)];
}

async function walk(folder: string, extensions: readonly string[], exclude: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...(await walk(path, extensions, exclude)));
    } else if (extensions.includes(extname(entry.name).toLowerCase()) && !exclude(path)) {
      files.push(path);
    }
  }
  return files;
}

/** Reads a text file, or throws `InputNotFoundError`. */
export async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InputNotFoundError(path, err);
  }
}

/** The content of a file, or `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes a file, creating its folder; throws `CodegenError` (`WriteFailed`). */
export async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, 'utf8');
  } catch (err) {
    throw new CodegenError({ reason: 'WriteFailed', message: `cannot write: ${err instanceof Error ? err.message : String(err)}`, location: { file: path }, cause: err });
  }
}

/**
 * What happened (or, with `check`, would happen) to one output file. `stale`: a file in the output
 * folder that carries the generated-file header but is no longer generated (never deleted).
 */
export type OutputStatus = 'written' | 'unchanged' | 'missing' | 'differs' | 'stale';

/** One output file and its status. */
export interface OutputFile {
  /** Path of the file (the output folder joined with its relative path). */
  readonly path: string;
  readonly content: string;
  readonly status: OutputStatus;
}

/**
 * Whether an existing file already says what the generated content says (for example the same CRD,
 * formatted differently); then it is left as it is.
 */
export type EquivalentContent = (relative: string, existing: string, generated: string) => boolean;

/**
 * Writes (or, with `check`, only compares) files generated in memory. A file whose content is
 * already right (byte-equal, or `equivalent`) is not touched. In check mode nothing is written and
 * a file is `missing` or `differs` when it is not what would be generated.
 *
 * Caveats: files are written concurrently, so when one write fails (a full disk, a read-only
 * folder) others may already be written; rerun the command once the cause is fixed.
 */
export async function syncOutputs(
  outputs: ReadonlyMap<string, string>,
  out: string,
  check: boolean,
  generated?: { marker: string; extensions: readonly string[] },
  equivalent?: EquivalentContent,
): Promise<OutputFile[]> {
  const stale = generated === undefined ? [] : await findStale(out, generated.marker, generated.extensions, new Set([...outputs.keys()].map((r) => join(out, r))));
  // the files are independent: they are compared and written concurrently, and listed in path order
  const sorted = [...outputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const results = await Promise.all(
    sorted.map(async ([relative, content]): Promise<OutputFile> => {
      const path = join(out, relative);
      const existing = await readIfExists(path);
      if (existing === content || (existing !== undefined && equivalent !== undefined && equivalent(relative, existing, content))) return { path, content, status: 'unchanged' };
      if (check) return { path, content, status: existing === undefined ? 'missing' : 'differs' };
      await writeOutput(path, content);
      return { path, content, status: 'written' };
    }),
  );
  for (const path of stale) results.push({ path, content: '', status: 'stale' });
  return results;
}

/** Files under `out` whose first line is `marker` and that are not in `known`. */
async function findStale(out: string, marker: string, extensions: readonly string[], known: ReadonlySet<string>): Promise<string[]> {
  let files: string[];
  try {
    files = await walk(out, extensions, () => false);
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const file of files) {
    if (known.has(file)) continue;
    const text = await readIfExists(file);
    if (text !== undefined && text.startsWith(`${marker}\n`)) stale.push(file);
  }
  return stale;
}
