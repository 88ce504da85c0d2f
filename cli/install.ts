/**
 * The slow tail of `create-operator`: `npm install` (with progress) and `git init`.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ScaffoldError } from '../generators/shared/errors.js';
import type { CliIo } from './io.js';
import { startProgress } from './progress.js';

/** What a finished child process printed, and how it ended. */
interface Finished {
  readonly code: number | null;
  readonly output: string;
}

function runCommand(command: string, args: readonly string[], cwd: string, env: CliIo['env']): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** A package manager that can install a generated project. */
export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/**
 * The package manager that started this process (`pnpm create operator` → pnpm), from the
 * `npm_config_user_agent` every one of them sets; npm when there is none.
 */
export function packageManagerOf(env: CliIo['env']): PackageManager {
  const name = /^(npm|pnpm|yarn|bun)\//.exec(env['npm_config_user_agent'] ?? '')?.[1];
  return (name as PackageManager | undefined) ?? 'npm';
}

/**
 * The pnpm settings of a project created with pnpm: pnpm >= 11 fails an install whose dependencies
 * have build scripts nobody decided on; esbuild's (under tsx and vitest) only checks its binary.
 */
export const PNPM_WORKSPACE = `# pnpm settings of this project (pnpm >= 11 reads them here).
# esbuild (under tsx and vitest) has an install script that checks its platform binary.
allowBuilds:
  esbuild: true
`;

/**
 * Runs `<package manager> install --prefer-offline` in `dir` (cached metadata is used without revalidation: about
 * half the time on a warm cache; anything missing is still fetched), showing progress (with pnpm,
 * writes pnpm-workspace.yaml first: {@link PNPM_WORKSPACE}); on failure
 * throws `InstallFailed` with the end of npm's output in the message.
 */
export async function installDependencies(dir: string, io: CliIo): Promise<void> {
  const pm = packageManagerOf(io.env);
  if (pm === 'pnpm') writeFileSync(join(dir, 'pnpm-workspace.yaml'), PNPM_WORKSPACE);
  const progress = startProgress(`Installing dependencies (${pm} install)`, { out: io.stdout, tty: io.interactive });
  const args = pm === 'npm' ? ['install', '--prefer-offline', '--no-audit', '--no-fund'] : pm === 'pnpm' ? ['install', '--prefer-offline'] : ['install'];
  let finished: Finished;
  try {
    finished = await runCommand(pm, args, dir, io.env);
  } catch (err) {
    progress.done(false, `${pm} install could not start`);
    throw new ScaffoldError({ reason: 'InstallFailed', message: `${pm} install could not start in ${dir}: ${err instanceof Error ? err.message : String(err)}`, cause: err });
  }
  if (finished.code !== 0) {
    progress.done(false, `${pm} install failed`);
    const tail = finished.output.trimEnd().split('\n').slice(-30).join('\n');
    throw new ScaffoldError({ reason: 'InstallFailed', message: `${pm} install failed in ${dir} (exit code ${String(finished.code)}):\n${tail}\nThe project files are in place; fix the problem and run ${pm} install there.` });
  }
  progress.done(true, 'Installed dependencies');
}

function insideGitWorkTree(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

/**
 * `git init` and an initial commit in `dir`, unless it is already inside a git work tree. Returns
 * what happened, for the summary; never throws for a missing git or identity (the project is
 * usable without a repository).
 */
export async function initGit(dir: string, io: CliIo): Promise<string> {
  if (insideGitWorkTree(dir)) return 'inside an existing git repository: skipped git init';
  try {
    const init = await runCommand('git', ['init', '-q'], dir, io.env);
    if (init.code !== 0) return `git init failed: ${init.output.trim()}`;
    await runCommand('git', ['add', '-A'], dir, io.env);
    const commit = await runCommand('git', ['commit', '-q', '-m', 'Initial commit from create-operator'], dir, io.env);
    return commit.code === 0 ? 'initialized a git repository with an initial commit' : 'initialized a git repository (no commit: set git user.name and user.email to commit)';
  } catch {
    return 'git is not available: skipped git init';
  }
}
