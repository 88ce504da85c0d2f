/**
 * The Opkit side of bench/webhook.bench.ts: the defaulting and validating webhooks of ConfigMaps,
 * the same handlers as bench/go's `webhook` mode, served by a Manager's webhook server on
 * 127.0.0.1. Prints `{"event":"started",…}` and then `{"event":"serving","mutatePath":…,
 * "validatePath":…}` once the server listens; runs until SIGTERM.
 *
 * - defaulter: sets the label `bench.opkit.dev/tier: standard` when it is missing;
 * - validator (create, update): denies a ConfigMap without the label `bench.opkit.dev/owner`.
 *
 * Usage: `node opkit-webhook.mjs --port P --cert-dir DIR` (tls.crt and tls.key in DIR); the
 * kubeconfig comes from `$KUBECONFIG`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ConfigMap, loadKubeConfig, Manager, type Logger } from '@opkit/runtime';
import { admissionFor, AdmissionDenied } from '@opkit/runtime/webhook';

const OWNER_LABEL = 'bench.opkit.dev/owner';
const TIER_LABEL = 'bench.opkit.dev/tier';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'cert-dir': { type: 'string' } } });
const port = Number(values.port);
const certDir = values['cert-dir'] ?? '';
if (!(port > 0) || certDir === '') {
  process.stderr.write('opkit-webhook: --port and --cert-dir are required\n');
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (msg, fields) => process.stderr.write(`${msg} ${String(fields?.['err'] ?? '')}\n`),
  child: () => logger,
};

// as a generated operator does: KUBECONFIG, else the pod's service account, else ~/.kube/config
const kubeConfig = await loadKubeConfig({ env: process.env });
const mgr = new Manager({ kubeConfig, logger, webhook: { host: '127.0.0.1', port, certDir } });

function requireOwner(cm: ConfigMap): void {
  if (!cm.metadata?.labels?.[OWNER_LABEL]) {
    throw new AdmissionDenied({ message: `metadata.labels[${OWNER_LABEL}]: Required value: every ConfigMap here names its owner`, field: `metadata.labels[${OWNER_LABEL}]` });
  }
}

const paths = admissionFor(mgr, ConfigMap)
  .defaulter((cm) => {
    const metadata = (cm.metadata ??= {});
    const labels = (metadata.labels ??= {});
    if (!(TIER_LABEL in labels)) labels[TIER_LABEL] = 'standard';
  })
  .validator({ create: requireOwner, update: (cm) => requireOwner(cm) })
  .complete();

const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
process.once('SIGINT', () => abort.abort());
emit({ event: 'started' });
const running = mgr.start(abort.signal);
running.catch(() => undefined);
while (mgr.webhookServer.address() === undefined) await delay(10);
emit({ event: 'serving', mutatePath: paths.mutatingPath, validatePath: paths.validatingPath });
try {
  await running;
} catch (err) {
  process.stderr.write(`opkit-webhook: ${String(err)}\n`);
  process.exitCode = 1;
}
