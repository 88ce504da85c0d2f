/**
 * One benchmark operator process (bench/go or bench/operator/opkit-operator.ts): spawned with a
 * kubeconfig, read as JSON lines on stdout, sampled from /proc, stopped with SIGTERM.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** A JSON line an operator process printed. */
export interface OperatorEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** Where the program is and how to start it. */
export interface OperatorCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** A running operator process. */
export class OperatorProcess {
  /** `performance.now()` just before spawn. */
  readonly spawnedAt: number;
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #waiters: Array<{ match: (e: OperatorEvent) => boolean; resolve: (e: OperatorEvent & { at: number }) => void }> = [];
  readonly #exited: Promise<number | null>;
  #stderr = '';
  #partial = '';

  constructor(command: OperatorCommand, args: readonly string[], env: NodeJS.ProcessEnv) {
    this.spawnedAt = performance.now();
    this.#child = spawn(command.command, [...command.args, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child.stdout.on('data', (d: Buffer) => this.#onStdout(d.toString()));
    this.#child.stderr.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    this.#exited = new Promise((resolve) => this.#child.on('close', (code) => resolve(code)));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  #onStdout(text: string): void {
    const at = performance.now();
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let event: OperatorEvent;
      try {
        event = JSON.parse(line) as OperatorEvent;
      } catch {
        continue;
      }
      for (let i = 0; i < this.#waiters.length; i++) {
        const w = this.#waiters[i];
        if (w?.match(event)) {
          this.#waiters.splice(i, 1);
          w.resolve({ ...event, at });
          break;
        }
      }
    }
  }

  /**
   * The next line matching `match` (lines printed before the call are not kept), with `at`, the
   * `performance.now()` it arrived at.
   * @throws Error naming the process's stderr when it exits first or `timeoutMs` passes.
   */
  next(match: (e: OperatorEvent) => boolean, timeoutMs: number): Promise<OperatorEvent & { at: number }> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (e: OperatorEvent & { at: number }) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no matching line from pid ${this.pid} within ${timeoutMs} ms; stderr: ${this.#stderr.trim() || '(empty)'}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
      void this.#exited.then((code) => {
        if (!this.#waiters.includes(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`pid ${this.pid} exited (${code}) before the expected line; stderr: ${this.#stderr.trim() || '(empty)'}`));
      });
    });
  }

  /** The next `{"event": name}` line. */
  event(name: string, timeoutMs: number): Promise<OperatorEvent & { at: number }> {
    return this.next((e) => e.event === name, timeoutMs);
  }

  /** Resident set size now, in bytes (VmRSS of /proc/<pid>/status). */
  rssBytes(): number {
    return procStatusKiB(this.pid, 'VmRSS') * 1024;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Resolves with the exit code when the process exits. */
  exited(): Promise<number | null> {
    return this.#exited;
  }
}

function procStatusKiB(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU of process `pid` so far, in µs (from /proc/<pid>/stat). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command (which may hold spaces) start at field 3
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / USER_HZ;
}

/** The pid of the process whose command line has the argument `arg` (e.g. kube-apiserver's `--secure-port=N`). */
export function findProcessWithArg(arg: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.split('\0').includes(arg)) return Number(entry);
  }
  return undefined;
}
