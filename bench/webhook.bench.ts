/**
 * Admission webhooks through the real kube-apiserver: Opkit's webhook server (Manager +
 * `admissionFor(mgr, ConfigMap)`, bench/operator/opkit-webhook.ts) against a Go controller-runtime
 * webhook with the same handlers (bench/go, `webhook` mode), in the same run, on one control plane.
 *
 * Both serve a defaulter (sets a label when missing) and a validator (denies a ConfigMap without
 * the owner label) over HTTPS on 127.0.0.1 with one serving certificate; each side gets its own
 * Mutating- and ValidatingWebhookConfiguration (failurePolicy Fail), scoped to its own namespace.
 * The load is server-side dry-run creates (`dryRun=All`): each one is two admission reviews (mutate,
 * then validate) and stores nothing. Before measuring, each side must deny a ConfigMap without the
 * label with its message and default the label of one with it.
 *
 * Per round (order alternating), per concurrency (default 1 and 8): N dry-run creates (default
 * 1,000); creates/s, client-side p50/p99 latency, the webhook process's CPU per 1000 creates.
 * Medians and paired ratios go to bench/results/webhook.json and .md; `--docs` rewrites the table
 * in docs/performance.md.
 *
 * Run (after `npm run build`): `npx tsx bench/webhook.bench.ts [--rounds 5] [--requests 1000]
 *   [--concurrency 1,8] [--docs]`
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ConfigMap, MutatingWebhookConfiguration, Namespace, ValidatingWebhookConfiguration } from '../runtime/src/api/builtins.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { ApiError } from '../runtime/src/client/errors.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { freePort } from '../runtime/src/testing/ports.js';
import { createCertificateAuthority, issueCertificate } from '../runtime/src/util/x509.js';
import { OperatorProcess, processCpuMicros } from './support/operator-process.js';
import { controllerRuntimeVersion, goBaseline, opkitProgram, repoRoot } from './support/programs.js';
import { median, pairedRatio, percentile, round } from './support/stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1,8' },
    docs: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const CONCURRENCIES = (values.concurrency ?? '').split(',').map(Number);
for (const [name, v] of [['rounds', ROUNDS], ['requests', REQUESTS], ...CONCURRENCIES.map((c) => ['concurrency', c] as const)] as const) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer (a comma-separated list for --concurrency), not "${v}"`);
}
const IMPLS = ['controller-runtime', 'opkit'] as const;
type Impl = (typeof IMPLS)[number];
const OWNER_LABEL = 'bench.opkit.dev/owner';
const TIER_LABEL = 'bench.opkit.dev/tier';

interface Side {
  readonly impl: Impl;
  readonly proc: OperatorProcess;
  readonly namespace: string;
}

interface Sample {
  readonly round: number;
  readonly impl: Impl;
  readonly concurrency: number;
  readonly requests: number;
  readonly createsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The webhook process's CPU per 1000 creates (two reviews each), from /proc. */
  readonly webhookCpuSecPer1000: number;
}

async function configure(client: Client, side: Side, port: number, caBundle: string, paths: { mutatePath: string; validatePath: string }): Promise<void> {
  const name = `bench-webhook-${side.impl}`;
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    timeoutSeconds: 10,
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': side.namespace } },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
  };
  await client.create(MutatingWebhookConfiguration, {
    metadata: { name },
    webhooks: [{ ...common, name: `mutate.${side.impl}.bench.opkit.dev`, clientConfig: { url: `https://127.0.0.1:${port}${paths.mutatePath}`, caBundle } }],
  });
  await client.create(ValidatingWebhookConfiguration, {
    metadata: { name },
    webhooks: [{ ...common, name: `validate.${side.impl}.bench.opkit.dev`, clientConfig: { url: `https://127.0.0.1:${port}${paths.validatePath}`, caBundle } }],
  });
}

let serial = 0;
function configMap(namespace: string, owner: boolean): ConfigMap {
  return { metadata: { name: `cm-${serial++}`, namespace, labels: owner ? { [OWNER_LABEL]: 'bench' } : {} }, data: { 'config.yaml': 'replicas: 1\n' } };
}

/** Waits until kube-apiserver calls this side's webhooks: a denial with the validator's message, a defaulted label. */
async function verify(client: Client, side: Side): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    let denied = '';
    try {
      await client.create(ConfigMap, configMap(side.namespace, false), { dryRun: true });
    } catch (err) {
      if (err instanceof ApiError) denied = err.message;
      else throw err;
    }
    if (denied.includes('every ConfigMap here names its owner')) break;
    if (performance.now() > deadline) throw new Error(`${side.impl}: a ConfigMap without ${OWNER_LABEL} was not denied by the webhook within 30 s (${denied || 'it was admitted'})`);
    await delay(100);
  }
  const created = await client.create(ConfigMap, configMap(side.namespace, true), { dryRun: true });
  if (created.metadata?.labels?.[TIER_LABEL] !== 'standard') throw new Error(`${side.impl}: the defaulter did not set ${TIER_LABEL}: ${JSON.stringify(created.metadata?.labels)}`);
}

async function load(client: Client, side: Side, requests: number, concurrency: number): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t = performance.now();
        await client.create(ConfigMap, configMap(side.namespace, true), { dryRun: true });
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ms: performance.now() - t0, latencies };
}

const goBinary = await goBaseline();
const commands = { 'controller-runtime': { command: goBinary, args: ['webhook'] }, opkit: opkitProgram('opkit-webhook') } as const;
const certDir = mkdtempSync(join(tmpdir(), 'opkit-bench-webhook-'));
const ca = createCertificateAuthority({ commonName: 'opkit-bench-webhook-ca' });
const serving = issueCertificate(ca, { commonName: '127.0.0.1', usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
writeFileSync(join(certDir, 'tls.crt'), serving.cert);
writeFileSync(join(certDir, 'tls.key'), serving.key, { mode: 0o600 });
const caBundle = Buffer.from(ca.cert).toString('base64');

const env = new TestEnvironment();
const started = await env.start();
const transport = createTransport(started.kubeConfig);
const client = createClient(transport);
const sides: Side[] = [];
const samples: Sample[] = [];
const loadAverages: number[] = [];
let kubernetes = 'unknown';
try {
  kubernetes = (await transport.request<{ gitVersion: string }>({ method: 'GET', path: '/version' })).gitVersion;
  for (const impl of IMPLS) {
    const port = await freePort();
    const namespace = `bench-webhook-${impl}`;
    await client.create(Namespace, { metadata: { name: namespace } });
    const proc = new OperatorProcess(commands[impl], ['--port', String(port), '--cert-dir', certDir], { ...process.env, KUBECONFIG: started.kubeconfigPath });
    const side: Side = { impl, proc, namespace };
    sides.push(side);
    const serving = await proc.event('serving', 60_000);
    await configure(client, side, port, caBundle, { mutatePath: String(serving['mutatePath']), validatePath: String(serving['validatePath']) });
  }
  for (const side of sides) {
    await verify(client, side);
    await load(client, side, 200, 4); // warm-up (JIT, connections)
    console.log(`${side.impl}: denies without ${OWNER_LABEL}, defaults ${TIER_LABEL}; warmed up`);
  }
  for (let r = 0; r < ROUNDS; r++) {
    loadAverages.push(loadavg()[0] ?? NaN);
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const concurrency of CONCURRENCIES) {
      for (const side of order) {
        const cpu0 = processCpuMicros(side.proc.pid);
        const { ms, latencies } = await load(client, side, REQUESTS, concurrency);
        const cpu1 = processCpuMicros(side.proc.pid);
        const s: Sample = {
          round: r,
          impl: side.impl,
          concurrency,
          requests: REQUESTS,
          createsPerSec: (REQUESTS / ms) * 1000,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          webhookCpuSecPer1000: ((cpu1 - cpu0) / 1e6 / REQUESTS) * 1000,
        };
        samples.push(s);
        console.log(`round ${r} c=${String(concurrency).padEnd(2)} ${side.impl.padEnd(18)} ${s.createsPerSec.toFixed(0).padStart(5)} creates/s  p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms  webhook cpu ${s.webhookCpuSecPer1000.toFixed(2)} s/1000`);
      }
    }
  }
} finally {
  for (const side of sides) await side.proc.stop();
  transport.close();
  await env.stop();
  rmSync(certDir, { recursive: true, force: true });
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? round(x, digits).toFixed(digits) : '–');
const rows = CONCURRENCIES.map((concurrency) => {
  const at = samples.filter((s) => s.concurrency === concurrency);
  const metric = (value: (s: Sample) => number) => {
    const side = (impl: Impl): Map<number, number> => new Map(at.filter((s) => s.impl === impl).map((s) => [s.round, value(s)]));
    return { controllerRuntime: median([...side('controller-runtime').values()]), opkit: median([...side('opkit').values()]), ratio: pairedRatio(side('opkit'), side('controller-runtime')) };
  };
  return { concurrency, createsPerSec: metric((s) => s.createsPerSec), p50Ms: metric((s) => s.p50Ms), p99Ms: metric((s) => s.p99Ms), webhookCpuSecPer1000: metric((s) => s.webhookCpuSecPer1000) };
});
const date = new Date().toISOString();
const lines = [
  `Opkit's webhook server against a Go controller-runtime ${controllerRuntimeVersion()} webhook with the same handlers, through one kube-apiserver ${kubernetes}, ` +
    `${date.slice(0, 16).replace('T', ' ')} UTC, ${ROUNDS} rounds of ${REQUESTS} server-side dry-run creates per side and concurrency (each create: one mutating and one validating review), ` +
    `order alternating, Node ${process.version}, ${cpus().length} CPUs, shared machine: 1-minute load average ${fmt(Math.min(...loadAverages), 1)}–${fmt(Math.max(...loadAverages), 1)} at the rounds' starts. ` +
    'Medians; ratios are Opkit / controller-runtime of the same round, median [min–max].',
  '',
  '| concurrency | creates/s, controller-runtime / Opkit | **Opkit / controller-runtime, creates/s** | p99 ms, controller-runtime / Opkit | **p99, Opkit / controller-runtime** | p50 ms, controller-runtime / Opkit | webhook CPU s per 1000 creates, controller-runtime / Opkit |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.concurrency} | ${fmt(r.createsPerSec.controllerRuntime)} / ${fmt(r.createsPerSec.opkit)} | ${fmt(r.createsPerSec.ratio.median, 2)} [${fmt(r.createsPerSec.ratio.min, 2)}–${fmt(r.createsPerSec.ratio.max, 2)}] | ` +
      `${fmt(r.p99Ms.controllerRuntime, 2)} / ${fmt(r.p99Ms.opkit, 2)} | ${fmt(r.p99Ms.ratio.median, 2)} [${fmt(r.p99Ms.ratio.min, 2)}–${fmt(r.p99Ms.ratio.max, 2)}] | ` +
      `${fmt(r.p50Ms.controllerRuntime, 2)} / ${fmt(r.p50Ms.opkit, 2)} | ${fmt(r.webhookCpuSecPer1000.controllerRuntime, 2)} / ${fmt(r.webhookCpuSecPer1000.opkit, 2)} |`,
  ),
  '',
];
const table = lines.join('\n');
console.log(`\n${table}`);
const outDir = join(repoRoot, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'webhook.json'), `${JSON.stringify({ benchmark: 'webhook', date, kubernetes, node: process.version, cpus: cpus().length, loadAverages, rows, samples }, null, 2)}\n`);
writeFileSync(join(outDir, 'webhook.md'), `# Admission webhooks: Opkit vs controller-runtime\n\n${table}`);
console.log('wrote bench/results/webhook.json and .md');
if (values.docs) {
  const docs = join(repoRoot, 'docs', 'performance.md');
  const text = readFileSync(docs, 'utf8');
  const begin = '<!-- webhook table: begin (written by bench/webhook.bench.ts --docs) -->';
  const end = '<!-- webhook table: end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no "${begin}" … "${end}" block to replace`);
  writeFileSync(docs, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
  console.log('updated docs/performance.md');
}
