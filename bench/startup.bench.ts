/**
 * Operator start-up: what an empty operator (a Manager with one ConfigMap controller over an empty
 * namespace) pays from `spawn` until its caches synced, and its RSS then, with the kubeconfig
 * loaded two ways, in fresh Node processes against one real control plane (TestEnvironment):
 *
 * - `client-node`: `new KubeConfig(); kubeConfig.loadFromDefault()` from @kubernetes/client-node
 *   (what generated operators did before);
 * - `loader`: `await loadKubeConfig({ env: process.env })` from @opkit/runtime (no client-node).
 *
 * Also the bare `import('@opkit/runtime')` (and, for reference, `import('@kubernetes/client-node')`)
 * in a fresh process: time to the end of the import and RSS after it. Each measurement runs
 * `rounds` times in rotating order; medians are reported, with ratios loader / client-node.
 * The processes import the built runtime (`runtime/dist`, `npm run build` first), as an installed
 * operator does.
 *
 * Run: `npx tsx bench/startup.bench.ts [rounds]`. Writes JSON to bench/results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TestEnvironment } from '../runtime/src/testing/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const runtimeUrl = pathToFileURL(join(root, 'runtime', 'dist', 'index.js')).href;
const clientNodeUrl = pathToFileURL(join(root, 'node_modules', '@kubernetes', 'client-node', 'dist', 'index.js')).href;

/** Child programs: each prints `READY <ms since process start>` once done, then waits to be killed. */
const programs = {
  'import runtime': `await import(${JSON.stringify(runtimeUrl)});`,
  'import client-node': `await import(${JSON.stringify(clientNodeUrl)});`,
  'operator client-node': operator(`
    const { KubeConfig } = await import(${JSON.stringify(clientNodeUrl)});
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();`),
  'operator loader': operator(`
    const kubeConfig = await rt.loadKubeConfig({ env: process.env });`),
} as const;
type Program = keyof typeof programs;

function operator(load: string): string {
  return `
    const rt = await import(${JSON.stringify(runtimeUrl)});
    ${load}
    const none = () => undefined;
    const logger = { debug: none, warn: none, error: none, child: () => logger, info: (msg) => { if (msg.startsWith('Caches synced')) ready(); } };
    const mgr = new rt.Manager({ kubeConfig, namespace: 'startup-empty', logger, metricsBindAddress: '0', healthProbeBindAddress: '0' });
    rt.controller(mgr).for(rt.ConfigMap).reconcile(async () => undefined);
    void mgr.start(new AbortController().signal);`;
}

function wrap(body: string): string {
  return `const ready = () => process.stdout.write('READY ' + performance.now().toFixed(1) + '\\n'); ${body} ${body.includes('ready()') ? '' : 'ready();'} setInterval(() => {}, 1000);`;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? NaN) / 102.4) / 10;
}

async function measure(program: Program, kubeconfigPath: string): Promise<{ spawnMs: number; inProcessMs: number; rssMiB: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', wrap(programs[program])], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /READY ([\d.]+)/.exec(out);
        if (m) resolve(m[1] ?? '');
      });
      child.on('exit', (code) => reject(new Error(`${program} exited with ${code} before it was ready`)));
    });
    const spawnMs = performance.now() - t0;
    return { spawnMs: Math.round(spawnMs), inProcessMs: Math.round(Number(line)), rssMiB: rssMiB(child.pid ?? 0) };
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

async function main(): Promise<void> {
  const env = new TestEnvironment();
  const { kubeconfigPath } = await env.start();
  const names = Object.keys(programs) as Program[];
  const samples: Array<{ round: number; program: Program; spawnMs: number; inProcessMs: number; rssMiB: number }> = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const program = names[(i + round) % names.length] ?? 'import runtime';
        const m = await measure(program, kubeconfigPath);
        samples.push({ round, program, ...m });
        console.log(`round ${round} ${program.padEnd(22)} spawn→ready ${String(m.spawnMs).padStart(5)} ms (in process ${m.inProcessMs} ms)  RSS ${m.rssMiB} MiB`);
      }
    }
  } finally {
    await env.stop();
  }
  const med = (p: Program, k: 'spawnMs' | 'inProcessMs' | 'rssMiB'): number => median(samples.filter((s) => s.program === p).map((s) => s[k]));
  const summary = names.map((p) => ({ program: p, 'spawn→ready ms': med(p, 'spawnMs'), 'in-process ms': med(p, 'inProcessMs'), 'RSS MiB': med(p, 'rssMiB') }));
  console.table(summary);
  const ratios = {
    'operator spawn→synced, loader / client-node': Number((med('operator loader', 'spawnMs') / med('operator client-node', 'spawnMs')).toFixed(2)),
    'operator RSS, loader / client-node': Number((med('operator loader', 'rssMiB') / med('operator client-node', 'rssMiB')).toFixed(2)),
  };
  console.log(ratios);
  const out = join(root, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `startup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const meta = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, rounds: ROUNDS, unit: 'medians of rounds' };
  writeFileSync(file, `${JSON.stringify({ benchmark: 'startup', meta, summary, ratios, samples }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
