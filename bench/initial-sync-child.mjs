// The child of bench/initial-sync.bench.ts: a fresh process that caches one namespace's ConfigMaps
// with the built runtime (runtime/dist) and prints when it got there. Arguments: kubeconfig path,
// namespace, initialList mode. Output: one JSON line {importedMs, syncedMs, objects, rssMiB, cpuMs}:
// times from process start (performance.timeOrigin), the process's CPU (user + system) until synced.
import { performance } from 'node:perf_hooks';
const [kubeconfigPath, namespace, initialList] = process.argv.slice(2);
const { createCache } = await import('../runtime/dist/cache/index.js');
const { createTransport, loadKubeConfig } = await import('../runtime/dist/client/index.js');
const { ConfigMap } = await import('../runtime/dist/index.js');
const importedMs = performance.now();
const config = await loadKubeConfig({ path: kubeconfigPath, env: process.env });
const transport = createTransport(config);
const cache = createCache({ transport, watcher: { initialList } });
const informer = cache.informerFor(ConfigMap, { namespace });
const controller = new AbortController();
const running = cache.start(controller.signal);
await cache.waitForCacheSync();
const syncedMs = performance.now();
const objects = informer.store.size;
const rssMiB = process.memoryUsage().rss / 2 ** 20;
const cpu = process.cpuUsage();
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ importedMs, syncedMs, objects, rssMiB, cpuMs })}\n`);
controller.abort();
await running;
transport.close();
