/**
 * A small operator process for the leader-election tests. Runs a Manager with Lease-based leader
 * election and a Widget controller whose reconciler writes the Widget's status. Every log line and
 * every reconcile's start/end (wall clock, ms) is appended, synchronously, as a JSON line to the
 * output file, so the records survive SIGKILL.
 *
 * argv: kubeconfigPath namespace identity outFile leaseMs renewMs retryMs
 * Exit code: 0 after a graceful stop (SIGTERM), 1 when `start()` rejects (e.g. LeaderElectionLost).
 */
import { appendFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { controller } from '../../runtime/src/controller/builder.js';
import { createJsonLogger } from '../../runtime/src/log/logger.js';
import { Manager } from '../../runtime/src/manager/manager.js';
import { setupSignalHandler } from '../../runtime/src/manager/signals.js';
import { generationChanged } from '../../runtime/src/predicates/predicates.js';
import { Widget } from './widget.js';

const [kubeconfigPath = '', namespace = 'default', identity = 'op', out = '/dev/null', lease = '3000', renew = '2000', retry = '500'] = process.argv.slice(2);
const record = (fields: Record<string, unknown>): void => appendFileSync(out, `${JSON.stringify({ identity, pid: process.pid, ...fields })}\n`);

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const logger = createJsonLogger({ level: 'info', write: (line) => appendFileSync(out, `${line}\n`) });
const mgr = new Manager({
  kubeConfig,
  namespace,
  logger,
  gracefulShutdownTimeoutMs: 5_000,
  leaderElection: {
    name: 'op-lock',
    identity,
    leaseDurationMs: Number(lease),
    renewDeadlineMs: Number(renew),
    retryPeriodMs: Number(retry),
    jitterFactor: 0,
  },
});
controller(mgr)
  .for(Widget)
  .withPredicates(generationChanged())
  .reconcile(async (req, ctx) => {
    record({ ev: 'reconcile-start', name: req.name, reconcileId: ctx.reconcileId, t: Date.now() });
    await ctx.client.status.patch(Widget, req, { status: { phase: identity } }, { signal: ctx.signal });
    record({ ev: 'reconcile-end', name: req.name, reconcileId: ctx.reconcileId, t: Date.now() });
  });

record({ ev: 'process-start', t: Date.now() });
try {
  await mgr.start(setupSignalHandler());
  record({ ev: 'exit', code: 0, t: Date.now() });
} catch (err) {
  record({ ev: 'exit', code: 1, error: err instanceof Error ? err.name : String(err), reason: (err as { reason?: unknown }).reason, t: Date.now() });
  process.exitCode = 1;
}
