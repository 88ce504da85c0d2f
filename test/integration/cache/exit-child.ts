/**
 * Child process for "no timer or socket left behind": runs a cache against the kubeconfig in
 * argv[2] (two healthy informers with a resync timer, one whose list keeps failing so it sits in
 * backoff), reads from it, aborts, closes the transport and returns without process.exit. The
 * parent asserts the process exits by itself.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { createCache } from '../../../runtime/src/cache/cache.js';
import { createTransport } from '../../../runtime/src/client/transport.js';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.argv[2] ?? '');
const transport = createTransport(kubeConfig);
const errors: unknown[] = [];
const cache = createCache({ transport, resyncPeriodMs: 1000, onError: (e) => errors.push(e) });
const all = cache.informerFor(ConfigMap);
const scoped = cache.informerFor(ConfigMap, { namespace: 'kube-system' });
const broken = cache.informerFor(ConfigMap, { labelSelector: 'a in (' });
broken.addEventHandler({});
const controller = new AbortController();
const stopped = cache.start(controller.signal);
await all.waitForSync();
await scoped.waitForSync();
await cache.list(ConfigMap, { namespace: 'kube-system' });
// Abort while the broken informer waits in backoff after a failed list.
const deadline = Date.now() + 10_000;
while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
if (broken.hasSynced() || errors.length === 0) throw new Error('the broken informer was expected to fail its list');
controller.abort();
await stopped;
transport.close();
process.stdout.write('cache stopped\n');
