/**
 * Flag parsing shared by the scaffolding commands (node:util parseArgs, strict).
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that does not parse: unknown flag, missing value, extra argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly; throws {@link UsageError} with parseArgs' message. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
