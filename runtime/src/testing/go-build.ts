import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TestEnvironmentError } from './errors.js';

/** Options of {@link GoToolchain}. */
export interface GoToolchainOptions {
  /** The Go command (default `go` on the PATH). */
  readonly command?: string;
  /** The environment of every `go` run (default `process.env`); `GOFLAGS` defaults to `-mod=mod`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives one human-readable progress line at a time (default: none). */
  readonly onProgress?: (line: string) => void;
  /** What the toolchain is needed for, in the error when Go cannot be run (default: the control plane). */
  readonly purpose?: string;
}

/**
 * Runs the Go toolchain for builds from Go modules: the control plane ({@link installBinaries})
 * and the benchmarks' Go baselines.
 *
 * Guarantees: a failing `go` command rejects with a {@link TestEnvironmentError} `BuildFailed`
 * holding the command, its folder, exit code and the tail of its output (download lines dropped).
 * Caveats: `GOFLAGS=-mod=mod` unless `env` sets `GOFLAGS` (a module with a committed go.sum should
 * pass `-mod=readonly`).
 */
export class GoToolchain {
  readonly #command: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #progress: (line: string) => void;
  readonly #purpose: string;
  #checked = false;

  constructor(options: GoToolchainOptions = {}) {
    this.#command = options.command ?? 'go';
    this.#env = options.env ?? process.env;
    this.#progress = options.onProgress ?? (() => undefined);
    this.#purpose = options.purpose ?? 'to build kube-apiserver and etcd';
  }

  /**
   * Checks once that `go version` runs.
   * @throws TestEnvironmentError `GoNotFound`, naming how to install Go.
   */
  async ensureAvailable(): Promise<void> {
    if (this.#checked) return;
    try {
      const out = await this.capture(['version'], process.cwd());
      this.#progress(`using ${out.trim()}`);
      this.#checked = true;
    } catch (cause) {
      throw new TestEnvironmentError({
        reason: 'GoNotFound',
        message:
          `The Go toolchain ("${this.#command}") is needed ${this.#purpose} but could not be run. ` +
          `Install Go (e.g. \`apt-get install golang\` or your platform's package), or set KUBEBUILDER_ASSETS ` +
          `to a folder holding prebuilt kube-apiserver and etcd binaries.`,
        cause,
      });
    }
  }

  /** Runs `go <args>` in `cwd`, reporting `label` first. */
  async run(args: string[], cwd: string, label: string): Promise<void> {
    this.#progress(`${label} (go ${args.join(' ')})`);
    await this.capture(args, cwd);
  }

  /** `go build -trimpath -o <output> -ldflags <ldflags> .` in `cwd`, reporting progress every 15 s. */
  async build(cwd: string, output: string, ldflags: string[], label: string): Promise<void> {
    const started = Date.now();
    let compiled = 0;
    const ticker = setInterval(() => {
      this.#progress(`${label}: compiled ${compiled} packages (${Math.round((Date.now() - started) / 1000)}s)`);
    }, 15_000);
    try {
      await this.capture(['build', '-v', '-trimpath', '-o', output, '-ldflags', ldflags.join(' '), '.'], cwd, (line) => {
        if (!line.startsWith('#') && line.trim() !== '') compiled++;
      });
    } finally {
      clearInterval(ticker);
    }
    this.#progress(`${label}: built in ${Math.round((Date.now() - started) / 1000)}s (${compiled} packages)`);
  }

  /** Runs go and returns stdout; rejects with stderr's tail on failure. */
  capture(args: string[], cwd: string, onStderrLine?: (line: string) => void): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.#command, args, {
        cwd,
        env: { GOFLAGS: '-mod=mod', ...this.#env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let partial = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        const text = d.toString();
        stderr = (stderr + text).slice(-20_000);
        if (onStderrLine) {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          lines.forEach(onStderrLine);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolvePromise(stdout);
        else {
          const tail = stderr
            .split('\n')
            .filter((l) => !l.startsWith('go: downloading'))
            .slice(-30)
            .join('\n');
          reject(
            new TestEnvironmentError({
              reason: 'BuildFailed',
              message: `\`${this.#command} ${args.join(' ')}\` failed in ${cwd} (exit ${code}):\n${tail}`,
            }),
          );
        }
      });
    });
  }
}

/**
 * Runs `build` in a fresh work dir under `cacheDir`, then moves the file it left there under the
 * name `basename(target)` to `target`.
 *
 * Guarantees: `target` appears only once fully built (an atomic rename, mode 0755); the work dir is
 * removed whether the build succeeds or not, so an interrupted build leaves nothing half-written.
 */
export async function buildInto(cacheDir: string, target: string, build: (work: string) => Promise<void>): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.build-'));
  try {
    await build(work);
    const name = basename(target);
    await mkdir(dirname(target), { recursive: true });
    await chmod(join(work, name), 0o755);
    await rename(join(work, name), target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
