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
import { runIfEntryPoint } from './entry.js';
import { processIo, type CliIo } from './io.js';
import { reportError } from './report.js';
import { assertMatchingRuntime } from './version-check.js';

/** Usage text of `opkit`. */
export const OPKIT_USAGE = `Usage: opkit <command> [options]

Commands:
  create api       add a kind (CRD, types, controller, sample, test) or a version of a kind
  create webhook   add defaulting, validating or conversion webhooks for a kind
  generate types   CRD schemas → TypeScript types and Resource descriptors
  generate crd     TypeScript types with TSDoc markers → CRD manifests
  generate rbac    least-privilege RBAC from @rbac markers and the controllers' code
  dev              run the operator from source on a local control plane, restarting on changes
  envtest          build (install), locate (path) or run (start) the local control plane
  migrate storage  rewrite a CRD's objects at its storage version, then drop old storedVersions
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

/*
 * Every command's module is imported when that command runs, never at start-up: `opkit --help`
 * loads this file and the few small ones above, nothing else. The commands' costs differ by
 * orders of magnitude: `generate types` loads a YAML reader and the schema printer (tens of
 * milliseconds); `create api` yeoman and its file system (about a second); `generate crd` and
 * `generate rbac` ts-morph, a TypeScript compiler (about a second and 100 MB); `dev` and `envtest`
 * the control-plane tooling and client-node.
 */
const generateCommand = async () => import('./commands/generate.js');
const createApiCommand = async () => import('./commands/create-api.js');
const createWebhookCommand = async () => import('./commands/create-webhook.js');
const rbacCommand = async () => import('./commands/generate-rbac.js');
const devCommand = async () => import('./commands/dev.js');
const migrateCommand = async () => import('./commands/migrate.js');

async function helpOf(words: readonly string[]): Promise<string | undefined> {
  const topic = words.join(' ');
  if (topic === '') return OPKIT_USAGE;
  if (topic === 'create api' || topic === 'create') return (await createApiCommand()).CREATE_API_USAGE;
  if (topic === 'create webhook') return (await createWebhookCommand()).CREATE_WEBHOOK_USAGE;
  if (topic === 'generate types') return (await generateCommand()).GENERATE_TYPES_USAGE;
  if (topic === 'generate crd') return (await generateCommand()).GENERATE_CRD_USAGE;
  if (topic === 'generate rbac') return (await rbacCommand()).GENERATE_RBAC_USAGE;
  if (topic === 'dev') return (await devCommand()).DEV_USAGE;
  if (topic === 'migrate' || topic === 'migrate storage') return (await migrateCommand()).MIGRATE_USAGE;
  if (topic === 'generate') {
    const { GENERATE_TYPES_USAGE, GENERATE_CRD_USAGE } = await generateCommand();
    return `${GENERATE_TYPES_USAGE}\n${GENERATE_CRD_USAGE}`;
  }
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
  if (command === 'generate' && sub === 'types') return (await generateCommand()).runGenerateTypes(rest);
  if (command === 'generate' && sub === 'crd') return (await generateCommand()).runGenerateCrd(rest);
  if (command === 'generate' && sub === 'rbac') return (await rbacCommand()).runGenerateRbac(rest);
  if (command === 'generate') {
    const { GENERATE_TYPES_USAGE, GENERATE_CRD_USAGE } = await generateCommand();
    io.stderr.write(`${sub === undefined ? 'error: missing generator' : `error: unknown generator ${sub}`}\n\n${GENERATE_TYPES_USAGE}\n${GENERATE_CRD_USAGE}\n${(await rbacCommand()).GENERATE_RBAC_USAGE}`);
    return 2;
  }
  if (command === 'create' && sub === 'api') return (await createApiCommand()).runCreateApi(rest, io);
  if (command === 'create' && sub === 'webhook') return (await createWebhookCommand()).runCreateWebhook(rest, io);
  if (command === 'migrate') {
    const interrupted = new AbortController();
    const onSigint = (): void => interrupted.abort(new Error('interrupted (SIGINT)'));
    process.once('SIGINT', onSigint);
    try {
      return await (await migrateCommand()).runMigrate(argv.slice(1), io, interrupted.signal);
    } finally {
      process.off('SIGINT', onSigint);
    }
  }
  if (command === 'envtest') return (await import('@opkit/runtime/testing')).runEnvtestCli(argv.slice(1));
  if (command === 'dev') {
    return (await devCommand()).runDev(argv.slice(1), { cwd: io.cwd, env: process.env, stdout: (t) => io.stdout.write(t), stderr: (t) => io.stderr.write(t) });
  }
  if (command === 'create') {
    io.stderr.write(`${sub === undefined ? 'error: missing what to create' : `error: unknown: create ${sub}`} (opkit create api, opkit create webhook)\n\n${(await createApiCommand()).CREATE_API_USAGE}`);
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
