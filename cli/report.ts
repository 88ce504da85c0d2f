/**
 * How the scaffolding commands report a failure: usage errors with the usage text (exit 2), input
 * and step errors as one clear message (exit 1), Ctrl-C at a prompt quietly (exit 130, as a shell
 * reports SIGINT), anything else with its stack (exit 1).
 * @module
 */
import { ScaffoldError } from '../generators/shared/errors.js';
import { UsageError } from './args.js';
import type { CliIo } from './io.js';

/** Prints `err` to `io.stderr`; returns the exit code. */
export function reportError(err: unknown, io: CliIo, usage: string): number {
  if (err instanceof UsageError) {
    io.stderr.write(`error: ${err.message}\n\n${usage}`);
    return 2;
  }
  if (err instanceof ScaffoldError && err.reason === 'Cancelled') {
    io.stdout.write('\n');
    return 130;
  }
  if (err instanceof ScaffoldError) {
    io.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  io.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
