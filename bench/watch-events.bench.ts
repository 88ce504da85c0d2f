/**
 * Watch events from a real kube-apiserver (TestEnvironment) to an informer's handler: CPU per
 * 1000 update events in a fresh process per measurement (bench/watch-events-child.mjs), for
 *
 * - `opkit`: the built runtime (runtime/dist): a SharedInformer with the defaults (managedFields
 *   stripped, objects frozen) and one handler that counts;
 * - `base` (with `--baseline <dir>`): another built runtime, e.g. main's runtime/dist copied aside
 *   before building, the same way: the before/after of a change, in the same rounds;
 * - `client-node`: @kubernetes/client-node's `makeInformer` over the same collection, its
 *   `update` handler counting.
 *
 * Per round, in rotating order, each child caches `objects` ConfigMaps (~1 KB each), says it is
 * ready, and this process merge-patches every object once (16 at a time); the child reports its
 * own CPU (user + system) from ready to the last update event. Reported: median CPU µs per event
 * and ratios of the same round (paired), median [min–max].
 *
 * Run (after `npm run build`): `npx tsx bench/watch-events.bench.ts [--objects 2000] [--rounds 5]
 * [--baseline <dir>] [--profile <dir>]` (`--profile`: the `opkit` children run under
 * `node --cpu-prof`, profiles written to that directory). Writes JSON to bench/results/watch-events.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigMap } from '../runtime/src/api/builtins.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { seedConfigMaps } from './support/cr-workloads.js';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' }, baseline: { type: 'string' }, profile: { type: 'string' } } });
const OBJECTS = Number(values.objects);
const ROUNDS = Number(values.rounds);
for (const [name, v] of [['objects', OBJECTS], ['rounds', ROUNDS]] as const) if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, not "${v}"`);
const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'watch-events-child.mjs');
const impls: Record<string, string> = { opkit: join(here, '..', 'runtime', 'dist'), 'client-node': '' };
if (values.baseline) impls.base = resolve(values.baseline);
const NAMESPACE = 'bench-watch-events';

/** One child: caches, says ready, gets `OBJECTS` update events while this process patches. */
async function measure(impl: string, kubeconfigPath: string, client: Client, tag: string): Promise<number> {
  const profile = values.profile && impl === 'opkit' ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : [];
  const proc = spawn(process.execPath, [...profile, child, impl, impls[impl] ?? '', kubeconfigPath, NAMESPACE, String(OBJECTS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the ${impl} child ended early`);
    return JSON.parse(line.value as string) as Record<string, unknown>;
  };
  try {
    await next();
    let i = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (i < OBJECTS) {
          const name = `cm-${i++}`;
          await client.patch(ConfigMap, { namespace: NAMESPACE, name }, { metadata: { annotations: { 'bench.opkit.dev/round': tag } } });
        }
      }),
    );
    const result = await next();
    return Number(result.cpuUs) / OBJECTS;
  } finally {
    // the child exits on its own after its last line (a profile is written at exit)
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    if (proc.exitCode === null) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    proc.kill();
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const range = (xs: readonly number[]): string => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;

const env = new TestEnvironment();
const started = await env.start();
const transport = createTransport(started.kubeConfig);
const client = createClient(transport);
const names = Object.keys(impls);
const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
try {
  await seedConfigMaps(client, NAMESPACE, OBJECTS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const impl of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
      const us = await measure(impl, started.kubeconfigPath, client, `r${r}-${impl}`);
      samples[impl]?.push(us);
      console.log(`round ${r + 1} ${impl.padEnd(12)} ${us.toFixed(1)} CPU µs per event`);
    }
  }
} finally {
  transport.close();
  await env.stop();
}
const rows = names.map((impl) => ({ impl, cpuUsPerEvent: Number(median(samples[impl] ?? []).toFixed(1)) }));
const paired = (a: string, b: string): number[] => (samples[a] ?? []).map((v, i) => v / (samples[b]?.[i] ?? NaN));
const ratios: Record<string, string> = { 'opkit / client-node': range(paired('opkit', 'client-node')) };
if (values.baseline) {
  ratios['opkit / base'] = range(paired('opkit', 'base'));
  ratios['base / client-node'] = range(paired('base', 'client-node'));
}
console.log(`\nwatch event → handler, ${OBJECTS} update events per run, ${ROUNDS} rounds (CPU µs per event, median)`);
console.table(rows);
console.log('paired ratios, median [min–max]:', ratios);
const out = join(here, 'results', 'watch-events.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, objects: OBJECTS, rounds: ROUNDS, baseline: values.baseline ?? null, rows, ratios, samples }, null, 2)}\n`);
console.log(`wrote ${out}`);
