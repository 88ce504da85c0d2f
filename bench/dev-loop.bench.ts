/**
 * The `opkit dev` loop, warm (npm cache and control-plane binaries in place):
 * - create → Ready: `create-operator --yes` (npm install included), then `opkit dev` until the
 *   sample reports Ready=True (goal ≤ 30 s);
 * - source change → reconcile: an edit of the controller's message until the sample's Ready
 *   condition carries the new message (goal ≤ 3 s), median of ROUNDS;
 * - restart: Ctrl-C, then `opkit dev` again until the operator runs on the kept data;
 * - baseline, same run: a plain `node dist/src/main.js` of the same project against a fresh
 *   TestEnvironment, from spawn to the sample's reconcile (what a change costs without opkit dev).
 * Ratios are measured / goal and measured / baseline.
 *
 *   npm run build && npx tsx bench/dev-loop.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, Resource } from '../runtime/src/api/resource.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const ROOT = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-bench-dev-'));
const project = join(tmp, 'bench-operator');
const OPKIT = join(ROOT, 'dist', 'cli', 'opkit.js');
// run through npx, this process carries the checkout's npm config (npm_config_*); the generated
// project's own npm must not inherit it (npm refuses a CLI-level allow-scripts in a project install)
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Bench extends KubeObject {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}
const Bench: Resource<Bench> = { group: 'bench.example.com', version: 'v1alpha1', kind: 'Bench', plural: 'benches', namespaced: true, subresources: { status: true } };
const key = { namespace: 'default', name: 'bench-sample' };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}
const readyMessage = async (client: Client): Promise<string | undefined> => {
  const c = (await client.get(Bench, key)).status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c?.message;
};

function startDev(): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  let out = '';
  const child = spawn(process.execPath, [OPKIT, 'dev'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, KUBECONFIG: '' } });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}
const adminClient = (): Client => {
  const kc = new KubeConfig();
  kc.loadFromFile(join(project, '.opkit', 'dev', 'kubeconfig'));
  return createClient(createTransport(kc));
};

try {
  // 1. npm create operator (install included) → opkit dev → Ready=True
  const t0 = performance.now();
  const created = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'create-operator.js'), 'bench-operator', '--yes', '--skip-git'], { cwd: tmp, encoding: 'utf8', env: childEnv });
  if (created.status !== 0) throw new Error(`create-operator failed:\n${created.stdout}\n${created.stderr}`);
  const createMs = performance.now() - t0;
  let dev = startDev();
  await until('opkit dev to run the operator', async () => (dev.output().includes('operator:') ? true : undefined));
  let client = adminClient();
  await until('Ready=True', () => readyMessage(client));
  const createToReadyMs = performance.now() - t0;
  const devToReadyMs = createToReadyMs - createMs;

  // 2. source change → reconcile
  const controllerFile = join(project, 'src', 'controllers', 'bench.controller.ts');
  const original = readFileSync(controllerFile, 'utf8');
  const changes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const message = `Bench is reconciled (edit ${i})`;
    const t = performance.now();
    writeFileSync(controllerFile, original.replace("message: 'Bench is reconciled'", `message: '${message}'`));
    await until(`the edited message ${i}`, async () => ((await readyMessage(client)) === message ? true : undefined));
    changes.push(performance.now() - t);
  }

  // 3. Ctrl-C, then opkit dev again on the kept data
  dev.child.kill('SIGINT');
  await dev.exited;
  const tr = performance.now();
  dev = startDev();
  await until('opkit dev to run the operator again', async () => (dev.output().includes('operator:') ? true : undefined));
  client = adminClient();
  const keptMessage = await readyMessage(client);
  const restartMs = performance.now() - tr;
  dev.child.kill('SIGINT');
  await dev.exited;

  // baseline: a fresh control plane and the built operator, spawn → reconcile of the sample
  writeFileSync(controllerFile, original);
  spawnSync('npm', ['run', 'build'], { cwd: project, encoding: 'utf8', env: childEnv });
  const env = new TestEnvironment({ crdPaths: [join(project, 'config', 'crd')], onWarning: () => undefined });
  const started = await env.start();
  const baseClient = createClient(createTransport(started.kubeConfig));
  await baseClient.create(Bench, { apiVersion: 'bench.example.com/v1alpha1', kind: 'Bench', metadata: { ...key }, spec: { foo: 'bar' } } as Bench);
  const tb = performance.now();
  const main = spawn(process.execPath, ['dist/src/main.js'], { cwd: project, stdio: 'ignore', env: { ...childEnv, KUBECONFIG: started.kubeconfigPath, METRICS_BIND_ADDRESS: '0', HEALTH_PROBE_BIND_ADDRESS: '0' } });
  await until('the baseline reconcile', () => readyMessage(baseClient));
  const baselineMs = performance.now() - tb;
  main.kill('SIGKILL');
  await env.stop();

  const s = (ms: number): number => Math.round(ms) / 1000;
  console.log(
    JSON.stringify(
      {
        rounds: ROUNDS,
        createOperatorWithInstallS: s(createMs),
        devStartToReadyS: s(devToReadyMs),
        createToReadyS: s(createToReadyMs),
        createToReadyVsGoal30s: Number((createToReadyMs / 30_000).toFixed(2)),
        sourceChangeToReconcileMedianS: s(median(changes)),
        sourceChangeToReconcileAllS: changes.map(s),
        sourceChangeVsGoal3s: Number((median(changes) / 3000).toFixed(2)),
        devRestartOnKeptDataS: s(restartMs),
        dataKeptAcrossRestart: keptMessage !== undefined,
        baselineNodeMainSpawnToReconcileS: s(baselineMs),
        sourceChangeVsBaseline: Number((median(changes) / baselineMs).toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
