/**
 * The throughput workload's API traffic through Opkit's own building blocks and nothing above
 * them: `createTransport` + `createClient` for the merge patches (answers parsed as the client
 * does), the `watcher` of `@opkit/runtime/watch` for the list and the watch (lines decoded as the
 * informer gets them) — no informer, cache, workqueue or controller. It sits between
 * bench/operator/node-raw.ts (Node's HTTP client alone) and bench/operator/opkit-operator.ts
 * (the whole operator), so the bench can say what the transport and client cost above Node's floor
 * and what the operator layer costs above them.
 *
 * Prints the operator programs' lines: `started`, `synced` (list parsed, watch about to open),
 * `done` once every patch is answered and every patched object's event has arrived, then exits.
 *
 * Usage: `node opkit-raw.mjs --namespace NS --run ID [--concurrency C]`
 */
import { parseArgs } from 'node:util';
import { ConfigMap, createClient, createTransport, loadKubeConfig } from '@opkit/runtime';
import { watcher } from '@opkit/runtime/watch';

const RUN_ANNOTATION = 'bench.opkit.dev/run';

const { values } = parseArgs({
  options: {
    namespace: { type: 'string', default: '' },
    run: { type: 'string', default: '' },
    concurrency: { type: 'string', default: '1' },
  },
});
const namespace = values.namespace ?? '';
const run = values.run ?? '';
const concurrency = Number(values.concurrency);
if (namespace === '' || run === '' || !(concurrency > 0)) fail('needs --namespace, --run and --concurrency > 0');

function fail(message: string): never {
  process.stderr.write(`opkit-raw: ${message}\n`);
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

function cpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

const transport = createTransport(await loadKubeConfig({ env: process.env }));
const client = createClient(transport);
const abort = new AbortController();
const patch = { metadata: { annotations: { [RUN_ANNOTATION]: run } } };

const startCpu = cpuMicros();
const startSys = process.resourceUsage().systemCPUTime;
const started = performance.now();
emit({ event: 'started', cpuUs: startCpu, monoUs: Number(process.hrtime.bigint() / 1000n) });

const names: string[] = [];
const pending = new Set<string>();
let patches: Promise<unknown> | undefined;
for await (const event of watcher(transport, ConfigMap, { signal: abort.signal, scope: { namespace } })) {
  if (event.type === 'initPage') {
    for (const o of event.objects) names.push(o.metadata?.name ?? '');
  } else if (event.type === 'initDone') {
    for (const n of names) pending.add(n);
    emit({ event: 'synced', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu });
    let next = 0;
    patches = Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < names.length) {
          const name = names[next++] as string;
          await client.patch(ConfigMap, { namespace, name }, patch);
        }
      }),
    );
    patches.catch((err: unknown) => fail(`patch: ${String(err)}`));
  } else if (event.type === 'apply') {
    const meta = event.object.metadata;
    if (meta?.annotations?.[RUN_ANNOTATION] === run && pending.delete(meta.name ?? '') && pending.size === 0) break;
  } else if (event.type === 'error') {
    fail(`watch: ${String(event.error)}`);
  }
}
await patches;
emit({ event: 'done', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu, sysUs: process.resourceUsage().systemCPUTime - startSys, objects: names.length });
abort.abort();
transport.close();
process.exit(0);
