import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';

/**
 * The parent's end of the reaper (see reaper.ts): registers child pids so that they die, and the
 * temp dir goes, even when this process is SIGKILLed.
 *
 * Guarantees: neither the reaper nor its pipe keeps this process's event loop alive.
 */
export class ReaperClient {
  readonly #child: ChildProcess;
  readonly #stdin: Writable;

  constructor(tempDir: string) {
    const script = fileURLToPath(new URL('./reaper.js', import.meta.url));
    this.#child = spawn(process.execPath, [script, tempDir], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.#child.on('error', () => undefined);
    this.#stdin = this.#child.stdin as Writable;
    this.#stdin.on('error', () => undefined);
    this.#child.unref();
    (this.#stdin as Writable & { unref?: () => void }).unref?.();
  }

  /** Registers a child process to kill if this process dies. */
  track(pid: number): void {
    this.#stdin.write(`pid ${pid}\n`);
  }

  /** Unregisters a child that has exited (its pid may be reused). */
  untrack(pid: number): void {
    this.#stdin.write(`unpid ${pid}\n`);
  }

  /** Tells the reaper the parent cleaned up itself, and lets it exit. */
  release(): void {
    this.#stdin.end('done\n');
  }
}
