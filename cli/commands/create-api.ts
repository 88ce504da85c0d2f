/**
 * `opkit create api`: adds a kind (or a version of a kind) to the project in the current folder.
 *
 * Exit codes: 0 added (or already there with nothing to change); 1 invalid input, not a project,
 * the kind exists, src/main.ts not understood, or a declined summary (nothing written in each
 * case); 2 a usage error; 130 Ctrl-C at a prompt.
 * @module
 */
import type { ApiSpec } from '../../generators/shared/api-spec.js';
import { findProjectRoot, readProjectConfig } from '../../generators/shared/project.js';
import { apiSpec } from '../../generators/shared/api-spec.js';
import { assertGivenValid, checkDomain, checkGroup, checkKind, checkPlural, checkVersion } from '../../generators/shared/validate.js';
import { parseFlags, UsageError } from '../args.js';
import { reportError } from '../report.js';
import type { CliIo } from '../io.js';

/** Usage text of `opkit create api`. */
export const CREATE_API_USAGE = `Usage: opkit create api --group <group> --version <version> --kind <Kind> [options]

Adds a kind to the project around the current folder: its CRD (config/crd), TypeScript types (src/api), a controller
registered in src/main.ts, a sample and a test. For a kind that exists, adds the version to
its CRD (served; storage stays on the current storage version unless --storage) with its
types and sample. In a terminal it asks for what no flag gives, then shows what it will
write and asks to go on; with --yes or without a terminal every required flag must be given.

Options:
      --group <group>     API group, before the project's domain (e.g. webapp); one that
                          ends with the domain (webapp.example.com) is the whole API group
      --version <v>       API version (v1, v1alpha1, v2beta3, …)
      --kind <Kind>       kind, PascalCase
      --plural <plural>   plural resource name (default: English plural of the kind)
      --domain <domain>   domain of the API group (default: the project's, from package.json)
      --cluster-scoped    the kind is cluster-scoped (default: namespaced)
      --storage           a new version of an existing kind becomes the storage version
      --conversion        with a new version of an existing kind: scaffold its conversion
                          webhook too (opkit create webhook --conversion); asked in a terminal
  -f, --force             regenerate the controller, test and sample of an existing kind/version
  -y, --yes               ask nothing (every required flag must be given)
  -h, --help              show this help
`;

const FLAGS = {
  group: { type: 'string' },
  version: { type: 'string' },
  kind: { type: 'string' },
  plural: { type: 'string' },
  domain: { type: 'string' },
  'cluster-scoped': { type: 'boolean' },
  storage: { type: 'boolean' },
  conversion: { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `opkit create api` with the arguments after `create api`; resolves to the exit code. */
export async function runCreateApi(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help === true) {
      io.stdout.write(CREATE_API_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0] ?? ''}`);
    const interactive = io.interactive && values.yes !== true;
    const missing = (['group', 'version', 'kind'] as const).filter((f) => values[f] === undefined);
    if (missing.length > 0 && !interactive) {
      throw new UsageError(`missing ${missing.map((f) => `--${f}`).join(', ')}${io.interactive ? '' : ' (in a terminal, opkit create api asks for them)'}`);
    }
    const root = findProjectRoot(io.cwd);
    const project = readProjectConfig(root);
    const inputs = {
      domain: values.domain ?? project.domain,
      group: values.group,
      version: values.version,
      kind: values.kind,
      plural: values.plural,
      clusterScoped: values['cluster-scoped'],
    };
    // Validate what is known before loading yeoman.
    assertGivenValid(values.domain, checkDomain, 'InvalidDomain');
    assertGivenValid(inputs.group, checkGroup, 'InvalidGroup');
    assertGivenValid(inputs.version, checkVersion, 'InvalidVersion');
    assertGivenValid(inputs.kind, checkKind, 'InvalidKind');
    assertGivenValid(inputs.plural, checkPlural, 'InvalidPlural');
    if (inputs.group !== undefined && inputs.version !== undefined && inputs.kind !== undefined) {
      apiSpec({ ...inputs, group: inputs.group, version: inputs.version, kind: inputs.kind });
    }
    let resolved: ApiSpec | undefined;
    const { devDependenciesBefore, installHint } = await import('./create-webhook.js');
    const before = devDependenciesBefore(root);
    const { runGenerator } = await import('../../generators/run.js');
    await runGenerator(
      {
        generator: 'api',
        options: {
          ...inputs,
          storage: values.storage === true,
          conversion: values.conversion ?? (interactive ? undefined : false),
          overwrite: values.force === true,
          destinationRoot: root,
          interactive,
          onResolved: (spec) => {
            resolved = spec;
          },
        },
      },
      root,
      io,
    );
    if (resolved === undefined) throw new Error('opkit create api: the generator finished without resolving the API');
    io.stdout.write(`\nAdded ${resolved.kind} (${resolved.apiGroup}/${resolved.version}). Next: ${installHint(root, before)}npm run build && npm test\n`);
    return 0;
  } catch (err) {
    return reportError(err, io, CREATE_API_USAGE);
  }
}
