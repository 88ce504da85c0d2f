/**
 * `opkit` and `@opkit/runtime` are released together: a project must use one version of both (the
 * generators write code for the runtime of their own release). This finds a project whose two
 * versions disagree, before a command writes anything.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ScaffoldError } from '../generators/shared/errors.js';

/** The version of `@opkit/runtime` that the project at `projectRoot` resolves; undefined when it has none installed. */
export function installedRuntimeVersion(projectRoot: string): string | undefined {
  const manifest = join(projectRoot, 'package.json');
  if (!existsSync(manifest)) return undefined;
  let path: string;
  try {
    path = createRequire(manifest).resolve('@opkit/runtime/package.json');
  } catch {
    return undefined;
  }
  const version = (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version;
  return typeof version === 'string' ? version : undefined;
}

/**
 * Throws when the project at `projectRoot` has an `@opkit/runtime` whose version is not
 * `opkitVersion` (the running CLI's). A project without `@opkit/runtime` installed passes (its
 * `npm install` is still to come).
 * @throws ScaffoldError `VersionMismatch`, naming both versions and the command that fixes it.
 */
export function assertMatchingRuntime(projectRoot: string, opkitVersion: string): void {
  const runtime = installedRuntimeVersion(projectRoot);
  if (runtime === undefined || runtime === opkitVersion) return;
  throw new ScaffoldError({
    reason: 'VersionMismatch',
    message:
      `opkit ${opkitVersion} and @opkit/runtime ${runtime} disagree in ${projectRoot}: they are released together and a project must use one version of both. ` +
      `Fix: npm install @opkit/runtime@${opkitVersion} (or npm install -D opkit@${runtime}), then run the command again. Nothing was changed.`,
  });
}
