#!/usr/bin/env node
/**
 * The `opkit` command: `create api`, `generate types|crd|rbac`, `dev`, `envtest`, `help`, `--version`.
 *
 * Exit codes: 0 success; 1 a failed command (see each command); 2 a usage error.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../generators/shared/paths.js';
import { findProjectRoot } from '../generators/shared/project.js';
import { CREATE_API_USAGE, runCreateApi } from './commands/create-api.js';
import { GENERATE_CRD_USAGE, GENERATE_TYPES_USAGE, runGenerateCrd, runGenerateTypes } from './commands/generate.js';
import { runIfEntryPoint } from './entry.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report.js';
import { assertMatchingRuntime } from './version-check.js';

/** Usage text of `opkit`. */
export const OPKIT_USAGE = `Usage: opkit <command> [options]

Commands:
  create api       add a kind (CRD, types, controller, sample, test) or a version of a kind
  generate types   CRD schemas → TypeScript types and Resource descriptors
  generate crd     TypeScript types with TSDoc markers → CRD manifests
  generate rbac    least-privilege RBAC from @rbac markers and the controllers' code
  dev              run the operator from source on a local control plane, restarting on changes
  envtest          build (install), locate (path) or run (start) the local control plane
  help [command]   show help (of a command)

Options:
  -v, --version    print opkit's version
  -h, --help       show this help

Create a new project with: npm create operator (create-operator)
`;

/** opkit's version, from its package.json. */
export function opkitVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

/**
 * `generate rbac` and `envtest` are loaded when used: the first loads ts-morph (a TypeScript
 * compiler), the second the control-plane tooling; together about 3 s and 100 MB that the other
 * commands (`generate types` above all) must not pay.
 */
const rbacCommand = async () => import('./commands/generate-rbac.js');
/** `dev` loads the control plane, ts-morph and codegen: also only when used. */
const devCommand = async () => import('./commands/dev.js');

async function helpOf(words: readonly string[]): Promise<string | undefined> {
  const topic = words.join(' ');
  if (topic === '') return OPKIT_USAGE;
  if (topic === 'create api' || topic === 'create') return CREATE_API_USAGE;
  if (topic === 'generate types') return GENERATE_TYPES_USAGE;
  if (topic === 'generate crd') return GENERATE_CRD_USAGE;
  if (topic === 'generate rbac') return (await rbacCommand()).GENERATE_RBAC_USAGE;
  if (topic === 'dev') return (await devCommand()).DEV_USAGE;
  if (topic === 'generate') return `${GENERATE_TYPES_USAGE}\n${GENERATE_CRD_USAGE}`;
  return undefined;
}

/** Runs `opkit` with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'create' || command === 'generate') {
    try {
      assertMatchingRuntime(findProjectRoot(io.cwd), opkitVersion());
    } catch (err) {
      return reportError(err, io, OPKIT_USAGE);
    }
  }
  if (command === 'generate' && sub === 'types') return runGenerateTypes(rest);
  if (command === 'generate' && sub === 'crd') return runGenerateCrd(rest);
  if (command === 'generate' && sub === 'rbac') return (await rbacCommand()).runGenerateRbac(rest);
  if (command === 'generate') {
    io.stderr.write(`${sub === undefined ? 'error: missing generator' : `error: unknown generator ${sub}`}\n\n${GENERATE_TYPES_USAGE}\n${GENERATE_CRD_USAGE}\n${(await rbacCommand()).GENERATE_RBAC_USAGE}`);
    return 2;
  }
  if (command === 'create' && sub === 'api') return runCreateApi(rest, io);
  if (command === 'envtest') return (await import('@opkit/runtime/testing')).runEnvtestCli(argv.slice(1));
  if (command === 'dev') {
    return (await devCommand()).runDev(argv.slice(1), { cwd: io.cwd, env: process.env, stdout: (t) => io.stdout.write(t), stderr: (t) => io.stderr.write(t) });
  }
  if (command === 'create') {
    io.stderr.write(`${sub === undefined ? 'error: missing what to create' : `error: unknown: create ${sub}`} (opkit create api)\n\n${CREATE_API_USAGE}`);
    return 2;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${opkitVersion()}\n`);
    return 0;
  }
  if (command === 'help') {
    const text = await helpOf(argv.slice(1));
    if (text === undefined) {
      io.stderr.write(`error: no help for ${argv.slice(1).join(' ')}\n\n${OPKIT_USAGE}`);
      return 2;
    }
    io.stdout.write(text);
    return 0;
  }
  if (command === undefined || command === '-h' || command === '--help') {
    io.stdout.write(OPKIT_USAGE);
    return command === undefined ? 2 : 0;
  }
  io.stderr.write(`error: unknown command ${command}\n\n${OPKIT_USAGE}`);
  return 2;
}

await runIfEntryPoint(import.meta.url, (argv) => main(argv));
