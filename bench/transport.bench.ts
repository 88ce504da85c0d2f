/**
 * Transport throughput and client CPU: N ConfigMaps, one merge patch of an annotation each,
 * straight over the transport (no cache, no queue), at concurrency 1, 4 and 16, against one real
 * control plane (TestEnvironment). Variants, in rotating order per round:
 *
 * - `http2`: the default — one multiplexed HTTP/2 connection, PING health checks;
 * - `http1`: the keep-alive HTTP/1.1 pool (64 sockets);
 * - `http1-per-request`: HTTP/1.1 doing what the transport did before credentials were prepared
 *   once: client-node's `applyToHTTPSOptions` on every request (base64-decoding the client
 *   certificate and building an https.Agent each time; the result is thrown away).
 *
 * - `base-http2`, `base-http1` (with `--baseline DIR`): the same, over the transport of another
 *   build of the runtime (`DIR` is its `dist`, e.g. a copy of main's `runtime/dist`), so a change
 *   to the request path is measured before/after in one run on one loaded machine.
 *
 * Reports the median wall time and the process's CPU (user + system, `process.cpuUsage`) per 1000
 * requests, and ratios against `http1` (and of each variant against its `base-` twin).
 *
 * Run: `npx tsx bench/transport.bench.ts [count] [rounds] [variants] [--baseline DIR]`. Writes JSON
 * to bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigMap, Namespace } from '../runtime/src/api/builtins.js';
import { createClient } from '../runtime/src/client/client.js';
import { restConfigFromClientNode } from '../runtime/src/client/kubeconfig/from-client-node.js';
import { createTransport, type Transport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';

const { values: flags, positionals } = parseArgs({ options: { baseline: { type: 'string' } }, allowPositionals: true });
const COUNT = Number(positionals[0] ?? 2000);
const ROUNDS = Number(positionals[1] ?? 3);
const CONCURRENCIES = [1, 4, 16] as const;
const ALL = ['http2', 'http1', 'http1-per-request', 'base-http2', 'base-http1'] as const;
type Variant = (typeof ALL)[number];
const DEFAULT_VARIANTS: readonly Variant[] = flags.baseline ? ['http2', 'base-http2'] : ['http2', 'http1', 'http1-per-request'];
const VARIANTS: readonly Variant[] = positionals[2] ? ALL.filter((v) => positionals[2]?.split(',').includes(v)) : DEFAULT_VARIANTS;
if (VARIANTS.length === 0) throw new Error(`no known variant in "${positionals[2]}"; pick from ${ALL.join(', ')}`);
if (VARIANTS.some((v) => v.startsWith('base-')) && !flags.baseline) throw new Error('the base-* variants need --baseline DIR (the dist folder of another build of the runtime)');
/** `createTransport` of the baseline build, when there is one. */
const baseCreateTransport: typeof createTransport | undefined = flags.baseline
  ? ((await import(pathToFileURL(resolve(flags.baseline, 'client', 'transport.js')).href)) as { createTransport: typeof createTransport }).createTransport
  : undefined;

interface Sample {
  readonly round: number;
  readonly variant: Variant;
  readonly concurrency: number;
  readonly ms: number;
  readonly cpuMsPer1000: number;
}

function transportFor(kubeConfig: KubeConfig, variant: Variant): Transport {
  if (variant === 'base-http2' || variant === 'base-http1') {
    if (!baseCreateTransport) throw new Error('no --baseline given');
    return baseCreateTransport(restConfigFromClientNode(kubeConfig), { protocol: variant === 'base-http2' ? 'http2' : 'http1' });
  }
  if (variant === 'http2') return createTransport(kubeConfig, { protocol: 'http2' });
  if (variant === 'http1') return createTransport(kubeConfig, { protocol: 'http1' });
  const rest = restConfigFromClientNode(kubeConfig);
  return createTransport(
    {
      ...rest,
      credentials: {
        async authorization() {
          await kubeConfig.applyToHTTPSOptions({ headers: {} });
          return undefined;
        },
      },
    },
    { protocol: 'http1' },
  );
}

async function run(transport: Transport, ns: string, names: readonly string[], concurrency: number, round: number): Promise<{ ms: number; cpuMs: number }> {
  let next = 0;
  const body = { metadata: { annotations: { 'bench.opkit.dev/round': String(round) } } };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++] ?? '';
        await transport.request({ method: 'PATCH', path: `/api/v1/namespaces/${ns}/configmaps/${name}`, body, contentType: 'application/merge-patch+json' });
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

async function main(): Promise<void> {
  const env = new TestEnvironment();
  const { kubeConfig } = await env.start();
  const admin = createTransport(kubeConfig);
  const client = createClient(admin);
  const ns = 'bench-transport';
  await client.create(Namespace, { metadata: { name: ns } });
  const names = Array.from({ length: COUNT }, (_, i) => `cm${i}`);
  let seeded = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (seeded < names.length) await client.create(ConfigMap, { metadata: { namespace: ns, name: names[seeded++] ?? '' }, data: { a: 'b' } });
    }),
  );
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCIES) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] ?? 'http1');
        for (const variant of order) {
          const transport = transportFor(kubeConfig, variant);
          try {
            // one warm-up request: connection set-up is not what is measured
            await transport.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/cm0` });
            const { ms, cpuMs } = await run(transport, ns, names, concurrency, round * 100 + concurrency);
            const s: Sample = { round, variant, concurrency, ms: Math.round(ms), cpuMsPer1000: Math.round((cpuMs / names.length) * 1000) };
            samples.push(s);
            console.log(`round ${round} ${variant.padEnd(18)} c=${String(concurrency).padEnd(3)} ${String(s.ms).padStart(6)} ms  ${String(Math.round((COUNT / ms) * 1000)).padStart(5)} req/s  CPU ${s.cpuMsPer1000} ms/1000`);
          } finally {
            transport.close();
          }
        }
      }
    }
  } finally {
    admin.close();
    await env.stop();
  }
  const med = (v: Variant, c: number, key: 'ms' | 'cpuMsPer1000'): number => median(samples.filter((s) => s.variant === v && s.concurrency === c).map((s) => s[key]));
  const summary = CONCURRENCIES.map((c) => {
    const row: Record<string, number | string> = { concurrency: c };
    for (const v of VARIANTS) {
      row[`${v} req/s`] = Math.round((COUNT / med(v, c, 'ms')) * 1000);
      row[`${v} CPU ms/1000`] = med(v, c, 'cpuMsPer1000');
    }
    for (const v of VARIANTS.filter((x) => VARIANTS.includes(`base-${x}` as Variant))) {
      const base = `base-${v}` as Variant;
      row[`${v}/${base} CPU`] = Number((med(v, c, 'cpuMsPer1000') / med(base, c, 'cpuMsPer1000')).toFixed(2));
      row[`${v}/${base} throughput`] = Number((med(base, c, 'ms') / med(v, c, 'ms')).toFixed(2));
    }
    if (VARIANTS.includes('http1')) {
      for (const v of VARIANTS.filter((x) => x !== 'http1')) {
        row[`${v}/http1 throughput`] = Number((med('http1', c, 'ms') / med(v, c, 'ms')).toFixed(2));
        row[`${v}/http1 CPU`] = Number((med(v, c, 'cpuMsPer1000') / med('http1', c, 'cpuMsPer1000')).toFixed(2));
      }
    }
    return row;
  });
  console.table(summary);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `transport-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const meta = { baseline: flags.baseline, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, requests: COUNT, rounds: ROUNDS, unit: 'medians of rounds' };
  writeFileSync(file, `${JSON.stringify({ benchmark: 'transport', meta, summary, samples }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
