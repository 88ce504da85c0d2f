import { spawn, type ChildProcess } from 'node:child_process';
import { TestEnvironmentError } from './errors.js';

/**
 * One control-plane process (etcd or kube-apiserver) with the tail of its output kept for error
 * messages.
 */
export class ManagedProcess {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
  ) {
    this.#child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => {
      this.#output.push(...d.toString().split('\n').filter(Boolean));
      if (this.#output.length > 200) this.#output.splice(0, this.#output.length - 200);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.#child.on('error', (err) => {
        this.#output.push(`spawn error: ${err.message}`);
        this.#exitCode = null;
        resolve(null);
      });
      this.#child.on('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        resolve(this.#exitCode);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether the process has exited. */
  get hasExited(): boolean {
    return this.#exitCode !== undefined;
  }

  /** The last lines the process printed. */
  outputTail(lines = 30): string {
    return this.#output.slice(-lines).join('\n');
  }

  /** A `StartFailed` error with the process's last output, for when it died or never got ready. */
  failure(what: string, cause?: unknown): TestEnvironmentError {
    return new TestEnvironmentError({
      reason: 'StartFailed',
      message: `${this.name} ${what}. Its last output:\n${this.outputTail()}`,
      cause,
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
