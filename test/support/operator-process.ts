import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./leader-operator.ts', import.meta.url));

/** One JSON line of a leader-operator output file (log lines and reconcile records). */
export type OperatorRecord = Record<string, unknown>;

/** A reconcile's wall-clock interval in one process. */
export interface ReconcileInterval {
  readonly identity: string;
  readonly name: string;
  readonly start: number;
  /** Infinity when the reconcile never ended (the process died in it). */
  readonly end: number;
}

/** Timing of the leader election of the test operator (ms). */
export interface LeaseTiming {
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly retryMs: number;
}

/**
 * A `test/support/leader-operator.ts` child process and its output file.
 * Guarantees: `stop()` only signals this child, by pid.
 */
export class OperatorProcess {
  readonly child: ChildProcess;
  readonly out: string;
  readonly exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(
    readonly identity: string,
    options: { kubeconfigPath: string; namespace: string; dir: string; timing: LeaseTiming },
  ) {
    this.out = join(options.dir, `${identity}.jsonl`);
    const t = options.timing;
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', SCRIPT, options.kubeconfigPath, options.namespace, identity, this.out, String(t.leaseMs), String(t.renewMs), String(t.retryMs)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.#exitCode = code;
        if (code !== 0 && code !== 1 && code !== null) process.stderr.write(`${identity} exited ${code}: ${stderr}\n`);
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  records(): OperatorRecord[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as OperatorRecord];
        } catch {
          return [];
        }
      });
  }

  /** Wall-clock ms of the first log line with `msg` (undefined when absent). */
  loggedAt(msg: string): number | undefined {
    const line = this.records().find((r) => r['msg'] === msg);
    return line ? Date.parse(String(line['time'])) : undefined;
  }

  /** Wall-clock ms when this process started leading. */
  leadingAt(): number | undefined {
    return this.loggedAt('Started leading');
  }

  reconciles(): ReconcileInterval[] {
    const starts = new Map<string, OperatorRecord>();
    const done: ReconcileInterval[] = [];
    for (const r of this.records()) {
      if (r['ev'] === 'reconcile-start') starts.set(String(r['reconcileId']), r);
      if (r['ev'] === 'reconcile-end') {
        const s = starts.get(String(r['reconcileId']));
        starts.delete(String(r['reconcileId']));
        done.push({ identity: this.identity, name: String(r['name']), start: Number(s?.['t']), end: Number(r['t']) });
      }
    }
    for (const s of starts.values()) done.push({ identity: this.identity, name: String(s['name']), start: Number(s['t']), end: Infinity });
    return done;
  }

  reconciledNames(): Set<string> {
    return new Set(this.reconciles().filter((r) => Number.isFinite(r.end)).map((r) => r.name));
  }

  /** Sends `signal` to this child only. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, signal);
  }

  /** SIGKILLs the child if still running (after a SIGCONT, in case it is stopped) and waits for it. */
  async stop(): Promise<void> {
    if (this.running) {
      this.signal('SIGCONT');
      this.signal('SIGKILL');
    }
    await this.exited;
  }
}

/** Whether any interval of `a` overlaps any interval of `b`. Returns the first overlapping pair. */
export function firstOverlap(a: readonly ReconcileInterval[], b: readonly ReconcileInterval[]): [ReconcileInterval, ReconcileInterval] | undefined {
  for (const x of a) for (const y of b) if (x.start < y.end && y.start < x.end) return [x, y];
  return undefined;
}
