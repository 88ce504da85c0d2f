// The child of bench/watch-events.bench.ts: a fresh process that caches one namespace's ConfigMaps
// with one informer and counts update events. Arguments: impl (`opkit` or `client-node`), the built
// runtime's directory (for `opkit`), kubeconfig path, namespace, expected events. Prints one JSON
// line `{"ready":true}` once synced, then `{cpuUs, ms}` once `events` updates arrived: this
// process's CPU (user + system) and wall time from the ready line to the last event.
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [impl, runtimeDir, kubeconfigPath, namespace, eventsArg] = process.argv.slice(2);
const expected = Number(eventsArg);
let seen = 0;
let finish;
const done = new Promise((resolve) => (finish = resolve));
const onUpdate = () => {
  if (++seen === expected) finish();
};
let stop;
if (impl === 'client-node') {
  const { CoreV1Api, KubeConfig, makeInformer } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace }));
  informer.on('update', onUpdate);
  informer.on('error', () => undefined);
  await informer.start();
  stop = () => informer.stop();
} else {
  const load = (path) => import(pathToFileURL(join(runtimeDir, path)).href);
  const [{ createTransport, loadKubeConfig }, { SharedInformer }, { ConfigMap }] = await Promise.all([load('client/index.js'), load('cache/index.js'), load('index.js')]);
  const transport = createTransport(await loadKubeConfig({ path: kubeconfigPath, env: process.env }));
  const informer = new SharedInformer({ transport, resource: ConfigMap, scope: { namespace } });
  informer.addEventHandler({ onUpdate });
  const controller = new AbortController();
  const running = informer.run(controller.signal);
  await informer.waitForSync();
  stop = async () => {
    controller.abort();
    await running;
    transport.close();
  };
}
const cpu = process.cpuUsage();
const t0 = performance.now();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await done;
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ cpuUs: used.user + used.system, ms: performance.now() - t0 })}\n`);
await stop();
process.exit(0);
