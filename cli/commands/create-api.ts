/**
 * `opkit create api`: adds a kind (or a version of a kind) to the project in the current folder.
 *
 * Exit codes: 0 added (or already there with nothing to change); 1 invalid input, not a project,
 * the kind exists, or src/main.ts not understood (nothing written in each case); 2 a usage error.
 * @module
 */
import { apiSpec } from '../../generators/shared/api-spec.js';
import { findProjectRoot, readProjectConfig } from '../../generators/shared/project.js';
import { parseFlags, UsageError } from '../args.js';
import { reportError } from '../report.js';
import type { CliIo } from '../io.js';

/** Usage text of `opkit create api`. */
export const CREATE_API_USAGE = `Usage: opkit create api --group <group> --version <version> --kind <Kind> [options]

Adds a kind to the project around the current folder: its CRD (config/crd), TypeScript types (src/api), a controller
registered in src/main.ts, a sample and a test. For a kind that exists, adds the version to
its CRD (served; storage stays on the current storage version unless --storage) with its
types and sample.

Options:
      --group <group>     API group, before the project's domain (e.g. webapp)
      --version <v>       API version (v1, v1alpha1, v2beta3, …)
      --kind <Kind>       kind, PascalCase
      --plural <plural>   plural resource name (default: English plural of the kind)
      --domain <domain>   domain of the API group (default: the project's, from package.json)
      --cluster-scoped    the kind is cluster-scoped (default: namespaced)
      --storage           a new version of an existing kind becomes the storage version
  -f, --force             regenerate the controller, test and sample of an existing kind/version
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
  force: { type: 'boolean', short: 'f' },
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
    const missing = (['group', 'version', 'kind'] as const).filter((f) => values[f] === undefined);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map((f) => `--${f}`).join(', ')}`);
    const root = findProjectRoot(io.cwd);
    const project = readProjectConfig(root);
    const inputs = {
      domain: values.domain ?? project.domain,
      group: values.group as string,
      version: values.version as string,
      kind: values.kind as string,
      plural: values.plural,
      clusterScoped: values['cluster-scoped'],
    };
    const spec = apiSpec(inputs); // validate before loading yeoman
    const { runGenerator } = await import('../../generators/run.js');
    await runGenerator(
      { generator: 'api', options: { ...inputs, storage: values.storage === true, overwrite: values.force === true, destinationRoot: root } },
      root,
      io,
    );
    io.stdout.write(`\nAdded ${spec.kind} (${spec.apiGroup}/${spec.version}). Next: npm run build && npm test\n`);
    return 0;
  } catch (err) {
    return reportError(err, io, CREATE_API_USAGE);
  }
}
