/**
 * `opkit migrate storage <crd>`: rewrites every object of a CRD at its storage version, then
 * drops the other versions from `status.storedVersions` (`migrateStorage` of @opkit/runtime/migration).
 *
 * Exit codes: 0 migrated (or nothing to do); 1 the migration failed or was interrupted
 * (storedVersions unchanged; the message says why and how to resume); 2 a usage error.
 * @module
 */
import { parseFlags, UsageError } from '../args.js';
import type { CliIo } from '../io.js';

/** Usage text of `opkit migrate storage`. */
export const MIGRATE_USAGE = `Usage: opkit migrate storage <crd> [options]

Rewrites every object of the CustomResourceDefinition <crd> (its full name, <plural>.<group>,
e.g. widgets.example.com) so that the API server stores it at the CRD's storage version, then
sets the CRD's status.storedVersions to only that version. After that, older versions can be
removed from the CRD. Run it after changing the storage version (and with the conversion
webhook serving, if the versions differ in shape). Safe to run again: a CRD whose
storedVersions is already only the storage version is left alone, and nothing is changed
in storedVersions unless every object was rewritten.

Needs: get on customresourcedefinitions, update on customresourcedefinitions/status, and
list and patch on the CRD's resource.

Options:
      --kubeconfig <path>  kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)
      --context <name>     kubeconfig context (default: its current context)
      --page-size <n>      objects per list page (default 500)
      --continue <token>   resume an interrupted migration from the token it printed
  -h, --help               show this help
`;

const FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'page-size': { type: 'string' },
  continue: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `opkit migrate` with the arguments after `migrate`; resolves to the exit code. */
export async function runMigrate(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let crd: string;
  let values;
  try {
    const parsed = parseFlags(argv, FLAGS);
    values = parsed.values;
    if (values.help === true) {
      io.stdout.write(MIGRATE_USAGE);
      return 0;
    }
    const [what, name, ...extra] = parsed.positionals;
    if (what !== 'storage') throw new UsageError(what === undefined ? 'missing what to migrate (opkit migrate storage <crd>)' : `unknown: migrate ${what} (opkit migrate storage <crd>)`);
    if (name === undefined) throw new UsageError('missing the CRD name, e.g. opkit migrate storage widgets.example.com');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    if (values['page-size'] !== undefined && !/^[1-9][0-9]*$/.test(values['page-size'])) throw new UsageError(`--page-size must be a positive integer, got ${values['page-size']}`);
    crd = name;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n\n${MIGRATE_USAGE}`);
      return 2;
    }
    throw err;
  }
  const [{ KubeConfig }, { createTransport }, migration] = await Promise.all([import('@kubernetes/client-node'), import('@opkit/runtime/client'), import('@opkit/runtime/migration')]);
  const kubeConfig = new KubeConfig();
  try {
    if (values.kubeconfig !== undefined) kubeConfig.loadFromFile(values.kubeconfig);
    else kubeConfig.loadFromDefault();
    if (values.context !== undefined) {
      if (!kubeConfig.getContexts().some((c) => c.name === values.context)) {
        throw new Error(`no context ${values.context} in the kubeconfig (it has: ${kubeConfig.getContexts().map((c) => c.name).join(', ') || 'none'})`);
      }
      kubeConfig.setCurrentContext(values.context);
    }
  } catch (err) {
    io.stderr.write(`error: cannot load the kubeconfig${values.kubeconfig === undefined ? '' : ` ${values.kubeconfig}`}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const transport = createTransport(kubeConfig);
  try {
    const result = await migration.migrateStorage(transport, crd, {
      ...(values['page-size'] === undefined ? {} : { pageSize: Number(values['page-size']) }),
      ...(values.continue === undefined ? {} : { continueToken: values.continue }),
      ...(signal === undefined ? {} : { signal }),
      onProgress: (p) => io.stderr.write(`  ${p.migrated} object(s) rewritten${p.gone > 0 ? `, ${p.gone} gone` : ''}\n`),
    });
    if (result.alreadyMigrated) {
      io.stdout.write(`${crd}: storedVersions is already [${result.storageVersion}]; nothing to do\n`);
      return 0;
    }
    io.stdout.write(
      `${crd}: ${result.migrated} object(s) rewritten at ${result.storageVersion}${result.gone > 0 ? ` (${result.gone} deleted meanwhile)` : ''}${result.restarted ? ' (the continue token had expired: started over)' : ''}; ` +
        `storedVersions [${result.storedVersionsBefore.join(', ')}] → [${result.storedVersions.join(', ')}]\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof migration.StorageMigrationError) {
      io.stderr.write(`error: ${err.message}\n`);
      const token = err.progress.continueToken;
      if (err.reason === 'Aborted' || err.reason === 'Failed') {
        io.stderr.write(`storedVersions is unchanged. Run again to finish${token === undefined ? '' : `, or resume with: opkit migrate storage ${crd} --continue ${token}`}\n`);
      }
      return 1;
    }
    throw err;
  } finally {
    transport.close();
  }
}
