/**
 * What a scaffolding command reads and writes, injected so tests run commands in-process.
 * @module
 */
import type { Readable, Writable } from 'node:stream';

/** Streams, working folder and environment of one command run. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The folder relative paths are resolved against. */
  readonly cwd: string;
  /** The environment (read here, at the entry point, never deeper). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether a person is at the terminal (stdin and stdout are TTYs): only then is anything asked. */
  readonly interactive: boolean;
}

/** The io of the current process. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  };
}
