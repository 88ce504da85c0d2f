/**
 * `opkit create webhook`: defaulting, validating and conversion webhooks for a kind of the project
 * in the current folder.
 *
 * Exit codes: 0 added; 1 a kind that does not exist, webhooks that exist (without --force), not a
 * project, src/main.ts not understood, or a declined summary (nothing written in each case); 2 a
 * usage error; 130 Ctrl-C at a prompt.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookSpec } from '../../generators/shared/webhook-spec.js';
import { findProjectRoot, readProjectConfig } from '../../generators/shared/project.js';
import { assertGivenValid, checkKind, checkVersion } from '../../generators/shared/validate.js';
import { parseFlags, UsageError } from '../args.js';
import { reportError } from '../report.js';
import type { CliIo } from '../io.js';

/** Usage text of `opkit create webhook`. */
export const CREATE_WEBHOOK_USAGE = `Usage: opkit create webhook --kind <Kind> [--defaulting] [--validation] [--conversion] [options]

Adds webhooks for a kind the project has (config/crd): a defaulting and/or validating admission
webhook (src/webhooks/<kind>.webhook.ts), a conversion webhook between the kind's versions
(src/webhooks/<kind>.conversion.ts), their tests (run by npm test against a real API server that
calls them), the manifests (config/webhook, wired into config/default; config/certmanager as the
cert-manager alternative), and registers them in src/main.ts, with self-managed certificates.
In a terminal it asks for what no flag gives, then shows what it will write and asks to go on.

Options:
      --kind <Kind>       the kind (it must exist: opkit create api adds kinds)
      --group <group>     its API group, when two kinds share the name
      --version <v>       the version the admission webhooks are for (default: the storage version)
      --defaulting        a mutating webhook that fills in defaults
      --validation        a validating webhook (create, update, delete)
      --conversion        a conversion webhook (hub: the storage version; needs two versions)
  -f, --force             regenerate the handler files and tests of a kind that has them
  -y, --yes               ask nothing (--kind and one of the three webhooks must be given)
  -h, --help              show this help
`;

const FLAGS = {
  kind: { type: 'string' },
  group: { type: 'string' },
  version: { type: 'string' },
  defaulting: { type: 'boolean' },
  validation: { type: 'boolean' },
  conversion: { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The devDependencies of the project's package.json (empty when it cannot be read). */
function devDependencies(root: string): Record<string, string> {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies ?? {};
  } catch {
    return {};
  }
}

/**
 * The line that says to run `npm install` when a run added devDependencies (fast-check, for the
 * conversion round-trip test); '' otherwise.
 */
export function installHint(root: string, before: Readonly<Record<string, string>>): string {
  const added = Object.keys(devDependencies(root)).filter((name) => before[name] === undefined);
  return added.length === 0 ? '' : `${added.join(', ')} was added to devDependencies (the conversion round-trip test needs it): run npm install first. `;
}

/** The project's devDependencies before a run, for {@link installHint}. */
export function devDependenciesBefore(root: string): Record<string, string> {
  return devDependencies(root);
}

/** Runs `opkit create webhook` with the arguments after `create webhook`; resolves to the exit code. */
export async function runCreateWebhook(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.help === true) {
      io.stdout.write(CREATE_WEBHOOK_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0] ?? ''}`);
    const interactive = io.interactive && values.yes !== true;
    const none = values.defaulting !== true && values.validation !== true && values.conversion !== true;
    if (!interactive && (values.kind === undefined || none)) {
      const missing = [values.kind === undefined ? '--kind' : '', none ? 'one of --defaulting, --validation, --conversion' : ''].filter((m) => m !== '');
      throw new UsageError(`missing ${missing.join(' and ')}${io.interactive ? '' : ' (in a terminal, opkit create webhook asks for them)'}`);
    }
    const root = findProjectRoot(io.cwd);
    readProjectConfig(root);
    assertGivenValid(values.kind, checkKind, 'InvalidKind');
    assertGivenValid(values.version, checkVersion, 'InvalidVersion');
    let resolved: WebhookSpec | undefined;
    const before = devDependenciesBefore(root);
    const { runGenerator } = await import('../../generators/run.js');
    await runGenerator(
      {
        generator: 'webhook',
        options: {
          kind: values.kind,
          group: values.group,
          version: values.version,
          defaulting: values.defaulting === true,
          validation: values.validation === true,
          conversion: values.conversion === true,
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
    if (resolved === undefined) throw new Error('opkit create webhook: the generator finished without resolving the kind');
    const what = [resolved.defaulting ? 'defaulting' : '', resolved.validation ? 'validation' : '', resolved.conversion ? 'conversion' : ''].filter((w) => w !== '').join(', ');
    io.stdout.write(`\nAdded ${what} webhooks for ${resolved.kind} (${resolved.apiGroup}). Next: ${installHint(root, before)}npm run build && npm test\n`);
    return 0;
  } catch (err) {
    return reportError(err, io, CREATE_WEBHOOK_USAGE);
  }
}
