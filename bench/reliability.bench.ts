/**
 * Detection and recovery times against a real control plane (TestEnvironment), Opkit next to
 * @kubernetes/client-node 1.4's informer on the same faults in the same run:
 *
 * - `stall`: half-dead connections (a loopback TCP proxy freezes every connection open at that
 *   moment, new ones work). A Widget is changed 1 s later; we time how long until each informer
 *   delivers the change (capped at `capSeconds`), and for Opkit also until its watch is declared
 *   stalled. client-node's informer gets the restart-on-error handler its README shows (restart
 *   5 s after an `error` event).
 * - `outage`: kube-apiserver stopped for 15 s, then started; from the moment its `/readyz` is ok,
 *   a Widget is changed and we time how long until each informer delivers it.
 * - `transport`: the HTTP/1.1 keep-alive transport against a node:http2 session to the same server
 *   (GET latency, sequential and 16 in flight, and HTTP/2 PING round trips): the measurement
 *   behind keeping HTTP/1.1 (see docs/operations.md).
 *
 * - `restart`: `TestEnvironment.restartApiServer()` with a watch open, 5 times each with the old
 *   5 s SIGTERM→SIGKILL grace (before) and with the default (after).
 *
 * Run: `npx tsx bench/reliability.bench.ts [rounds=2] [capSeconds=60] [sections=stall,outage,transport,restart]`. Prints a table and writes
 * JSON (every sample, medians and ratios) to bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { Namespace } from '../runtime/src/api/builtins.js';
import { SharedInformer } from '../runtime/src/cache/informer.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { createTransport, type Transport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { TcpFaultProxy, kubeConfigFor } from '../test/support/fault-proxy.js';
import { Widget, WIDGET_CRD } from '../test/support/widget.js';

const ROUNDS = Number(process.argv[2] ?? 2);
const CAP_MS = Number(process.argv[3] ?? 60) * 1000;
const SECTIONS = new Set((process.argv[4] ?? 'stall,outage,transport,restart').split(','));
type Named = Widget & { metadata: { name: string } };

/** One informer under test: started on a kubeconfig, tells when it has delivered `generation` of `name`. */
interface Subject {
  readonly impl: 'opkit' | 'client-node';
  seenAt(name: string, generation: number): number | undefined;
  /** Opkit only: when the informer declared its watch stalled. */
  stalledAt(): number | undefined;
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => T | undefined, capMs: number): Promise<T | undefined> {
  const deadline = performance.now() + capMs;
  for (;;) {
    const v = check();
    if (v !== undefined || performance.now() > deadline) return v;
    await pause(20);
  }
}

/** Records the first time each (name, generation) was delivered. */
function recorder(): { note: (w: Widget) => void; seenAt: (name: string, generation: number) => number | undefined } {
  const seen = new Map<string, number>();
  return {
    note: (w) => {
      const key = `${w.metadata?.name}@${w.metadata?.generation}`;
      if (!seen.has(key)) seen.set(key, performance.now());
    },
    seenAt: (name, generation) => seen.get(`${name}@${generation}`),
  };
}

async function startOpkit(kubeConfig: KubeConfig, ns: string): Promise<Subject> {
  const transport = createTransport(kubeConfig);
  const informer = new SharedInformer<Widget>({ transport, resource: Widget, scope: { namespace: ns } });
  const r = recorder();
  let stalledAt: number | undefined;
  informer.addEventHandler({ onAdd: r.note, onUpdate: (_o, n) => r.note(n) });
  const abort = new AbortController();
  const run = informer.run(abort.signal).catch(() => undefined);
  const timer = setInterval(() => {
    if (stalledAt === undefined && informer.watchHealth().stalls > 0) stalledAt = performance.now();
  }, 10);
  await informer.waitForSync();
  return {
    impl: 'opkit',
    seenAt: r.seenAt,
    stalledAt: () => stalledAt,
    stop: async () => {
      clearInterval(timer);
      abort.abort();
      await run;
      transport.close();
    },
  };
}

async function startClientNode(kubeConfig: KubeConfig, ns: string): Promise<Subject> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = { group: Widget.group, version: Widget.version, namespace: ns, plural: Widget.plural };
  const path = `/apis/${Widget.group}/${Widget.version}/namespaces/${ns}/${Widget.plural}`;
  const informer = makeInformer<Named>(kubeConfig, path, () => api.listNamespacedCustomObject(target) as Promise<KubernetesListObject<Named>>);
  const r = recorder();
  let stopped = false;
  informer.on('add', r.note);
  informer.on('update', r.note);
  // client-node's README: restart the informer 5 s after an error
  informer.on('error', () => setTimeout(() => void (stopped ? undefined : informer.start().catch(() => undefined)), 5000));
  await informer.start();
  return {
    impl: 'client-node',
    seenAt: r.seenAt,
    stalledAt: () => undefined,
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

interface Sample {
  readonly scenario: 'stall' | 'outage';
  readonly round: number;
  readonly impl: Subject['impl'];
  /** ms from the change (stall) or from /readyz ok (outage) until the informer delivered it; undefined: not within the cap. */
  readonly deliveredMs: number | undefined;
  /** stall only, Opkit only: ms from the freeze until the stall was declared. */
  readonly stallDetectedMs?: number | undefined;
}

async function change(client: Client, ns: string, size: number): Promise<number> {
  const w = await client.patch(Widget, { namespace: ns, name: 'w' }, { spec: { size } });
  return w.metadata?.generation ?? 0;
}

async function stallRound(env: TestEnvironment, kubeConfig: KubeConfig, client: Client, round: number): Promise<Sample[]> {
  const ns = `stall-${round}`;
  await client.create(Namespace, { metadata: { name: ns } });
  await client.create(Widget, { metadata: { namespace: ns, name: 'w' }, spec: { size: 0 } });
  const proxy = await TcpFaultProxy.start(kubeConfig.getCurrentCluster()?.server ?? '');
  const proxied = kubeConfigFor(kubeConfig, proxy.url);
  const subjects = [await startOpkit(proxied, ns), await startClientNode(proxied, ns)];
  await pause(1000);
  proxy.freezeOpen();
  const frozenAt = performance.now();
  await pause(1000);
  const changedAt = performance.now();
  const generation = await change(client, ns, 1);
  const samples = await Promise.all(
    subjects.map(async (s): Promise<Sample> => {
      const at = await until(() => s.seenAt('w', generation), CAP_MS);
      const stalled = s.stalledAt();
      return {
        scenario: 'stall',
        round,
        impl: s.impl,
        deliveredMs: at === undefined ? undefined : Math.round(at - changedAt),
        ...(s.impl === 'opkit' ? { stallDetectedMs: stalled === undefined ? undefined : Math.round(stalled - frozenAt) } : {}),
      };
    }),
  );
  for (const s of subjects) await s.stop();
  await proxy.close();
  void env;
  return samples;
}

async function outageRound(env: TestEnvironment, kubeConfig: KubeConfig, client: Client, round: number): Promise<Sample[]> {
  const ns = `outage-${round}`;
  await client.create(Namespace, { metadata: { name: ns } });
  await client.create(Widget, { metadata: { namespace: ns, name: 'w' }, spec: { size: 0 } });
  const subjects = [await startOpkit(kubeConfig, ns), await startClientNode(kubeConfig, ns)];
  await pause(1000);
  await env.stopApiServer();
  await pause(15_000);
  await env.startApiServer();
  const readyAt = performance.now();
  const generation = await change(client, ns, 1);
  const samples = await Promise.all(
    subjects.map(async (s): Promise<Sample> => {
      const at = await until(() => s.seenAt('w', generation), CAP_MS);
      return { scenario: 'outage', round, impl: s.impl, deliveredMs: at === undefined ? undefined : Math.round(at - readyAt) };
    }),
  );
  for (const s of subjects) await s.stop();
  return samples;
}

/** HTTP/1.1 keep-alive transport vs one HTTP/2 session: GET latency and PING round trips. */
async function transportRound(kubeConfig: KubeConfig, ns: string): Promise<Record<string, number>> {
  const path = `/apis/${Widget.group}/${Widget.version}/namespaces/${ns}/${Widget.plural}/w`;
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();
  const session: ClientHttp2Session = connect(cluster?.server ?? '', { ca: b64(cluster?.caData), cert: b64(user?.certData), key: b64(user?.keyData) });
  const h2get = () =>
    new Promise<void>((resolve, reject) => {
      const s = session.request({ ':method': 'GET', ':path': path, accept: 'application/json' });
      s.on('response', (h) => (h[':status'] === 200 ? undefined : reject(new Error(`h2 ${String(h[':status'])}`))));
      s.on('data', () => undefined);
      s.on('end', resolve);
      s.on('error', reject);
      s.end();
    });
  const transport: Transport = createTransport(kubeConfig);
  const h1get = () => transport.request({ method: 'GET', path }).then(() => undefined);
  const timed = async (fn: () => Promise<void>, n: number, inFlight: number): Promise<number> => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next++ < n) await fn();
    }));
    return performance.now() - t0;
  };
  await timed(h1get, 50, 4);
  await timed(h2get, 50, 4);
  const out: Record<string, number> = {};
  for (const [label, n, inFlight] of [['sequential', 300, 1], ['16 in flight', 1000, 16]] as const) {
    out[`http1 ${label} ms/request`] = (await timed(h1get, n, inFlight)) / n;
    out[`http2 ${label} ms/request`] = (await timed(h2get, n, inFlight)) / n;
  }
  const pings: number[] = [];
  for (let i = 0; i < 50; i++) pings.push(await new Promise<number>((resolve, reject) => session.ping((err, ms) => (err ? reject(err) : resolve(ms)))));
  pings.sort((a, b) => a - b);
  out['http2 PING median ms'] = pings[Math.floor(pings.length / 2)] ?? NaN;
  session.close();
  transport.close();
  return out;
}

/** Five restartApiServer() timings with a watch open, with the given SIGKILL grace (undefined: the default). */
async function restarts(graceMs: number | undefined): Promise<number[]> {
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD], ...(graceMs === undefined ? {} : { apiServerStopGraceMs: graceMs }) });
  const { kubeConfig } = await env.start();
  const watching = await startOpkit(kubeConfig, 'default');
  const times: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      await pause(1000);
      const t0 = performance.now();
      await env.restartApiServer();
      times.push(performance.now() - t0);
    }
  } finally {
    await watching.stop();
    await env.stop();
  }
  return times;
}

const median = (xs: readonly number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const lo = s[Math.floor((s.length - 1) / 2)] ?? NaN;
  const hi = s[Math.ceil((s.length - 1) / 2)] ?? NaN;
  return (lo + hi) / 2;
};

async function main(): Promise<void> {
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD] });
  const { kubeConfig } = await env.start();
  const transport = createTransport(kubeConfig);
  const client = createClient(transport);
  const samples: Sample[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (SECTIONS.has('stall')) samples.push(...(await stallRound(env, kubeConfig, client, round)));
      if (SECTIONS.has('outage')) samples.push(...(await outageRound(env, kubeConfig, client, round)));
      console.log(`round ${round}:`, JSON.stringify(samples.filter((s) => s.round === round)));
    }
    await client.create(Namespace, { metadata: { name: 'transport' } });
    await client.create(Widget, { metadata: { namespace: 'transport', name: 'w' }, spec: { size: 0 } });
    const transportNumbers = SECTIONS.has('transport') ? await transportRound(kubeConfig, 'transport') : {};
    const restart = SECTIONS.has('restart') ? { beforeMs: await restarts(5000), afterMs: await restarts(undefined) } : undefined;
    const summary: Record<string, unknown> = {};
    const fmt = (ms: number | undefined) => (ms === undefined ? `> ${CAP_MS / 1000} s (not within the cap)` : `${(ms / 1000).toFixed(2)} s`);
    console.log('\nscenario  metric                                  opkit        client-node  ratio (client-node / opkit)');
    for (const scenario of ['stall', 'outage'] as const) {
      const of = (impl: Subject['impl']) => samples.filter((s) => s.scenario === scenario && s.impl === impl);
      const delivered = (impl: Subject['impl']) => {
        const xs = of(impl).map((s) => s.deliveredMs);
        return xs.some((x) => x === undefined) ? undefined : median(xs as number[]);
      };
      const o = delivered('opkit');
      const c = delivered('client-node');
      const ratio = o === undefined ? 'n/a' : c === undefined ? `> ${(CAP_MS / o).toFixed(1)}` : (c / o).toFixed(1);
      const what = scenario === 'stall' ? 'change → delivered (half-dead conns)' : '/readyz ok → change delivered';
      console.log(`${scenario.padEnd(9)} ${what.padEnd(39)} ${fmt(o).padEnd(12)} ${fmt(c).padEnd(12)} ${ratio}`);
      summary[scenario] = { opkitMedianMs: o, clientNodeMedianMs: c ?? `>${CAP_MS}`, ratio };
      if (scenario === 'stall') {
        const detected = median(of('opkit').flatMap((s) => (s.stallDetectedMs === undefined ? [] : [s.stallDetectedMs])));
        console.log(`${''.padEnd(9)} ${'freeze → stall declared'.padEnd(39)} ${fmt(detected).padEnd(12)} ${'never'.padEnd(12)}`);
        summary['stallDetectedMedianMs'] = detected;
      }
    }
    console.log('\ntransport (same server, same run):');
    for (const [k, v] of Object.entries(transportNumbers)) console.log(`  ${k.padEnd(32)} ${v.toFixed(3)}`);
    const seq = (transportNumbers['http2 sequential ms/request'] ?? NaN) / (transportNumbers['http1 sequential ms/request'] ?? NaN);
    const par = (transportNumbers['http2 16 in flight ms/request'] ?? NaN) / (transportNumbers['http1 16 in flight ms/request'] ?? NaN);
    console.log(`  ratio http2 / http1: sequential ${seq.toFixed(2)}, 16 in flight ${par.toFixed(2)}`);
    if (restart) {
      const b = median(restart.beforeMs) ?? NaN;
      const a = median(restart.afterMs) ?? NaN;
      console.log(`\nrestartApiServer() with a watch open, median of 5: before (5 s kill grace) ${Math.round(b)} ms [${restart.beforeMs.map(Math.round).join(', ')}], after ${Math.round(a)} ms [${restart.afterMs.map(Math.round).join(', ')}]; ratio before / after ${(b / a).toFixed(2)}`);
      summary['restart'] = { beforeMedianMs: b, afterMedianMs: a, ratio: b / a };
    }
    const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `reliability-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ rounds: ROUNDS, capMs: CAP_MS, cpus: cpus().length, samples, summary, transport: transportNumbers, ratios: { http2OverHttp1Sequential: seq, http2OverHttp1InFlight16: par } }, null, 2));
    console.log(`\nwrote ${file}`);
  } finally {
    transport.close();
    await env.stop();
  }
}

await main();
