/**
 * What an interactive run is about to write, shown before the confirm: the resolved values, then
 * every file with whether it is created or changed.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/** One file a run writes, relative to the project root (with `/`). */
export interface PlannedFile {
  readonly path: string;
  /** `create`: the file does not exist yet; `update`: it exists and its content changes. */
  readonly change: 'create' | 'update';
}

/**
 * The planned files among mem-fs `files` (absolute path → new content) under `root`, sorted; a
 * file whose content on disk is already the same is left out, one outside `root` is listed with
 * its absolute path.
 */
export function plannedFiles(files: Iterable<readonly [string, string]>, root: string): PlannedFile[] {
  const planned: PlannedFile[] = [];
  for (const [abs, contents] of files) {
    const exists = existsSync(abs);
    if (exists && readFileSync(abs, 'utf8') === contents) continue;
    const rel = relative(root, abs);
    const path = rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split('\\').join('/');
    planned.push({ path, change: exists ? 'update' : 'create' });
  }
  return planned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The text of a summary: a heading, aligned `label  value` lines, then the files. */
export function formatSummary(heading: string, facts: ReadonlyArray<readonly [string, string]>, files: readonly PlannedFile[]): string {
  const width = Math.max(0, ...facts.map(([label]) => label.length));
  const created = files.filter((f) => f.change === 'create').length;
  const updated = files.length - created;
  const counts = [created > 0 ? `${created} new` : '', updated > 0 ? `${updated} changed` : ''].filter((c) => c !== '').join(', ');
  return [
    heading,
    ...facts.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `  files${' '.repeat(Math.max(0, width - 5))}  ${counts || 'none'}`,
    ...files.map((f) => `    ${f.change === 'create' ? 'create' : 'update'}  ${f.path}`),
  ].join('\n');
}
