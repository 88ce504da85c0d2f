/**
 * Child process for "the process exits on its own": runs a manager against the kubeconfig in
 * argv[2], reconciles one Widget (status write), aborts, and returns from main without calling
 * process.exit. The parent asserts the process exits within a deadline.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { controller } from '../../runtime/src/controller/builder.js';
import { silentLogger } from '../../runtime/src/log/logger.js';
import { Manager } from '../../runtime/src/manager/manager.js';
import { Widget } from './widget.js';

const [kubeconfigPath = '', namespace = 'default', name = 'child'] = process.argv.slice(2);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const mgr = new Manager({ kubeConfig, namespace, logger: silentLogger });
const abort = new AbortController();
controller(mgr)
  .for(Widget)
  .reconcile(async (req, ctx) => {
    await ctx.client.status.patch(Widget, req, { status: { phase: 'Seen' } });
    if (req.name === name) abort.abort();
    return { requeueAfter: 60_000 };
  });
await mgr.start(abort.signal);
process.stdout.write('manager stopped\n');
