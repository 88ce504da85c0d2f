#!/usr/bin/env node
/**
 * `create-operator` (what `npm create operator` runs): scaffolds an operator project with one
 * custom kind, installs its dependencies and initializes git.
 *
 * Exit codes: 0 created; 1 invalid input, a declined summary or a failed step (nothing written
 * when the input was invalid or the summary declined); 2 a usage error; 130 Ctrl-C at a prompt.
 * @module
 */
import { resolve } from 'node:path';
import { APP_DEFAULTS, resolveAppAnswers, type AppAnswers, type GivenValues } from '../generators/shared/answers.js';
import { opkitDependencies } from '../generators/shared/paths.js';
import { assertTargetUsable } from '../generators/shared/target.js';
import { assertGivenValid, checkDomain, checkGroup, checkKind, checkPlural, checkVersion } from '../generators/shared/validate.js';
import { parseFlags, UsageError } from './args.js';
import { runIfEntryPoint } from './entry.js';
import { initGit, installDependencies, packageManagerOf } from './install.js';
import { processIo, type CliIo } from './io.js';
import { checkRegistry } from './registry-check.js';
import { reportError } from './report.js';

/** Usage text of `create-operator`. */
export const CREATE_OPERATOR_USAGE = `Usage: create-operator [dir] [options]
       npm create operator -- [dir] [options]

Scaffolds a Kubernetes operator in TypeScript: manager, one custom kind (CRD, generated
types, controller, sample, test against a real control plane), RBAC, Dockerfile.
Asks for what no flag gives when run in a terminal, then shows what it will write and
asks to go on; with --yes or without a terminal it uses the defaults and asks nothing.

Arguments:
  dir                     target folder (default: my-operator); must be new or empty

Options:
      --name <name>       npm package name (default: the folder's name)
      --domain <domain>   domain of the API group (default: example.com)
      --group <group>     API group, before the domain (default: the project name
                          without -operator, e.g. webapp-operator → webapp); one
                          that ends with the domain is the whole API group
      --version <v>       API version (default: v1alpha1)
      --kind <Kind>       kind, PascalCase (default: from the project name, e.g. Webapp)
      --plural <plural>   plural resource name (default: English plural of the kind)
      --cluster-scoped    the kind is cluster-scoped (default: namespaced)
  -y, --yes               ask nothing; use the defaults for what no flag gives
      --skip-install      do not run npm install
      --skip-git          do not run git init
  -f, --force             write into a non-empty folder (files of the same name are overwritten)
  -h, --help              show this help
`;

const FLAGS = {
  name: { type: 'string' },
  domain: { type: 'string' },
  group: { type: 'string' },
  version: { type: 'string' },
  kind: { type: 'string' },
  plural: { type: 'string' },
  'cluster-scoped': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'skip-install': { type: 'boolean' },
  'skip-git': { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const;

function nextSteps(answers: AppAnswers, io: CliIo, installed: boolean): string {
  const pm = packageManagerOf(io.env);
  const here = answers.directory === io.cwd;
  const rel = here ? '.' : answers.directory.startsWith(`${io.cwd}/`) ? answers.directory.slice(io.cwd.length + 1) : answers.directory;
  const { api } = answers;
  return [
    '',
    `Created ${answers.projectName}: kind ${api.kind} (${api.apiGroup}/${api.version}, ${api.namespaced ? 'namespaced' : 'cluster-scoped'}) in ${rel}`,
    '',
    'Next:',
    ...(here ? [] : [`  cd ${rel}`]),
    ...(installed ? [] : [`  ${pm} install`]),
    `  ${`${pm} run build`.padEnd(17)}  # type-check and compile`,
    `  ${`${pm} test`.padEnd(17)}  # the controller against a real control plane`,
    `  ${`${pm} run dev`.padEnd(17)}  # run it on a local control plane (opkit dev)`,
    '',
  ].join('\n');
}

/** Asks for what no flag gave, shows the summary and writes on yes: the yeoman generators. */
async function scaffoldInteractively(given: GivenValues, overwrite: boolean, io: CliIo, registry: Promise<void>): Promise<AppAnswers> {
  let resolved: AppAnswers | undefined;
  const { runGenerator } = await import('../generators/run.js');
  await registry;
  await runGenerator(
    {
      generator: 'app',
      options: {
        ...given,
        overwrite,
        interactive: true,
        dependencies: opkitDependencies(),
        onResolved: (answers) => {
          resolved = answers;
        },
      },
    },
    io.cwd,
    io,
  );
  if (resolved === undefined) throw new Error('create-operator: the generator finished without resolving its answers');
  return resolved;
}

/**
 * Asks nothing: the same content (generators/app/files.ts, generators/api/files.ts) rendered and
 * written without loading yeoman (about a second of the command's time).
 */
async function scaffoldWithDefaults(given: GivenValues, overwrite: boolean, io: CliIo, registry: Promise<void>): Promise<AppAnswers> {
  const { scaffoldProject } = await import('../generators/scaffold.js');
  await registry;
  return scaffoldProject({ given, cwd: io.cwd, overwrite, dependencies: opkitDependencies(), log: (line) => io.stdout.write(`${line}\n`) });
}

/** Runs `create-operator` with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help === true) {
      io.stdout.write(CREATE_OPERATOR_USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    const interactive = io.interactive && values.yes !== true;
    const given: GivenValues = {
      directory: positionals[0],
      projectName: values.name,
      domain: values.domain,
      group: values.group,
      version: values.version,
      kind: values.kind,
      plural: values.plural,
      clusterScoped: values['cluster-scoped'] === true ? true : interactive ? undefined : false,
    };
    const overwrite = values.force === true;
    // Validate everything that is known before loading yeoman or touching the disk.
    assertGivenValid(given.domain, checkDomain, 'InvalidDomain');
    assertGivenValid(given.group, checkGroup, 'InvalidGroup');
    assertGivenValid(given.version, checkVersion, 'InvalidVersion');
    assertGivenValid(given.kind, checkKind, 'InvalidKind');
    assertGivenValid(given.plural, checkPlural, 'InvalidPlural');
    // The target folder first: a non-empty one is refused before any prompt.
    if (!interactive || given.directory !== undefined) assertTargetUsable(resolve(io.cwd, given.directory ?? APP_DEFAULTS.directory), overwrite);
    if (!interactive) resolveAppAnswers(given, io.cwd);

    // Whether the registry answers is known before anything is written (checked while the scaffold loads).
    const registry = values['skip-install'] === true ? Promise.resolve() : checkRegistry(io.cwd, io);
    registry.catch(() => undefined);
    const resolved = interactive ? await scaffoldInteractively(given, overwrite, io, registry) : await scaffoldWithDefaults(given, overwrite, io, registry);
    let installed = false;
    if (values['skip-install'] !== true) {
      await installDependencies(resolved.directory, io);
      installed = true;
    }
    if (values['skip-git'] !== true) io.stdout.write(`${await initGit(resolved.directory, io)}\n`);
    io.stdout.write(nextSteps(resolved, io, installed));
    return 0;
  } catch (err) {
    return reportError(err, io, CREATE_OPERATOR_USAGE);
  }
}

await runIfEntryPoint(import.meta.url, (argv) => main(argv));
