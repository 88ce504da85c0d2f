/**
 * The folder a new project is created in must be new or empty (a lone `.git` counts as empty).
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ScaffoldError } from './errors.js';

/**
 * Checks that `dir` can receive a new project.
 * @throws ScaffoldError `TargetNotEmpty` when `dir` is a file, or a folder with entries (other than
 * `.git`) and `force` is false.
 */
export function assertTargetUsable(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new ScaffoldError({ reason: 'TargetNotEmpty', message: `target ${dir} exists and is not a folder` });
  }
  const entries = readdirSync(dir).filter((e) => e !== '.git');
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new ScaffoldError({
      reason: 'TargetNotEmpty',
      message: `target folder ${dir} is not empty (${shown}); choose a new folder, or pass --force to write into it (files of the same name are overwritten)`,
    });
  }
}
