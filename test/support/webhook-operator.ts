/**
 * A webhook replica for the webhook integration tests: a Manager with Lease-based leader election
 * (a Widget controller that only the leader runs) and a webhook server whose mutating handler
 * `/served-by` annotates each Widget with this process's identity. Log lines are appended as JSON
 * to the output file.
 *
 * argv: kubeconfigPath identity port certDir outFile
 * Exit code: 0 after a graceful stop (SIGTERM), 1 when `start()` rejects.
 */
import { appendFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { controller } from '../../runtime/src/controller/builder.js';
import { createJsonLogger } from '../../runtime/src/log/logger.js';
import { Manager } from '../../runtime/src/manager/manager.js';
import { setupSignalHandler } from '../../runtime/src/manager/signals.js';
import { defaultingHandler } from '../../runtime/src/webhook/admission/handlers.js';
import { Widget } from './widget.js';

const [kubeconfigPath = '', identity = 'replica', port = '0', certDir = '', out = '/dev/null'] = process.argv.slice(2);

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const logger = createJsonLogger({ level: 'info', write: (line) => appendFileSync(out, `${line}\n`) });
const mgr = new Manager({
  kubeConfig,
  namespace: 'default',
  logger,
  gracefulShutdownTimeoutMs: 5_000,
  leaderElection: { name: 'webhook-replicas', identity, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 1_000 },
  webhook: { host: '127.0.0.1', port: Number(port), certDir },
});
mgr.webhookServer.register(
  '/served-by',
  defaultingHandler(Widget, (w) => {
    w.metadata = { ...w.metadata, annotations: { ...w.metadata?.annotations, 'test.opkit.dev/served-by': identity } };
  }),
);
controller(mgr)
  .for(Widget)
  .reconcile(() => undefined);

try {
  await mgr.start(setupSignalHandler());
} catch (err) {
  logger.error('manager failed', { err });
  process.exitCode = 1;
}
