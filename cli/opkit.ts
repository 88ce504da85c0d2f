#!/usr/bin/env node
/**
 * The `opkit` command. Minimal dispatcher: `opkit generate types|crd ...`; other commands are
 * added by their owners.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATE_CRD_USAGE, GENERATE_TYPES_USAGE, runGenerateCrd, runGenerateTypes } from './commands/generate.js';

const USAGE = `Usage: opkit <command> [options]

Commands:
  generate types   CRD schemas → TypeScript types and Resource descriptors
  generate crd     TypeScript types with TSDoc markers → CRD manifests
`;

/** Runs `opkit` with the arguments after the program name; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'generate' && sub === 'types') return runGenerateTypes(rest);
  if (command === 'generate' && sub === 'crd') return runGenerateCrd(rest);
  if (command === 'generate') {
    process.stderr.write(`${sub === undefined ? 'error: missing generator' : `error: unknown generator ${sub}`}\n\n${GENERATE_TYPES_USAGE}\n${GENERATE_CRD_USAGE}`);
    return 2;
  }
  if (command === undefined || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`error: unknown command ${command}\n\n${USAGE}`);
  return 2;
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2));
}
