/**
 * The folder a new project is created in must be new or empty (a lone `.git` counts as empty).
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ScaffoldError } from './errors.js';

/**
 * Why `dir` cannot receive a new project, or `undefined` when it can: it does not exist, or it is
 * an empty folder, or `force` is set and it is a folder.
 */
export function targetProblem(dir: string, force: boolean): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `target ${dir} exists and is not a folder; choose a new folder`;
  const entries = readdirSync(dir).filter((e) => e !== '.git');
  if (entries.length === 0 || force) return undefined;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  return `target folder ${dir} is not empty (${shown}); choose a new folder, or pass --force to write into it (files of the same name are overwritten)`;
}

/**
 * Checks that `dir` can receive a new project.
 * @throws ScaffoldError `TargetNotEmpty` when `dir` is a file, or a folder with entries (other than
 * `.git`) and `force` is false.
 */
export function assertTargetUsable(dir: string, force: boolean): void {
  const problem = targetProblem(dir, force);
  if (problem !== undefined) throw new ScaffoldError({ reason: 'TargetNotEmpty', message: problem });
}
