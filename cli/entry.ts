/**
 * Running a CLI module as a program: only when it is the file node was started with (through a
 * bin symlink too), so tests can import its `main` without running it.
 * @module
 */
import { realpathSync } from 'node:fs';
import nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';

/** Whether the module at `moduleUrl` is the program's entry point. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Runs `main` with the process arguments and sets the exit code, when `moduleUrl` is the entry
 * point. Turns on Node's on-disk compile cache first where there is one (Node ≥ 22.1): the
 * generators load a few hundred modules lazily, and later runs compile none of them again.
 */
export async function runIfEntryPoint(moduleUrl: string, main: (argv: readonly string[]) => Promise<number>): Promise<void> {
  if (!isEntryPoint(moduleUrl)) return;
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  process.exitCode = await main(process.argv.slice(2));
}
