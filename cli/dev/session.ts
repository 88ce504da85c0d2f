/**
 * `opkit dev`'s loop: a local control plane kept in `.opkit/dev` (so a restart keeps its data and
 * takes seconds), the project's CRDs and samples applied, the operator run from source as its
 * generated ServiceAccount and restarted on every change under src/; a change under config/crd
 * regenerates src/api and re-applies the CRDs.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { createClient, createTransport, describeError, Lease, type Client, type Transport } from '@opkit/runtime';
import { TestEnvironment, issueOperatorIdentity } from '@opkit/runtime/testing';
import { generateTypes } from '../../codegen/crd-to-ts/generate-types.js';
import { generateRbac } from '../../codegen/rbac/generate-rbac.js';
import { applyCrds, applySamples } from './manifests.js';

/** Options of {@link runDevSession}. */
export interface DevSessionOptions {
  /** The project folder. */
  readonly root: string;
  /** The project's stem (package name without `-operator`), for the Lease name. */
  readonly projectStem: string;
  /** Run against the current kubeconfig's cluster instead of a local control plane. */
  readonly cluster?: { readonly kubeConfig: KubeConfig; readonly kubeconfigPath: string | undefined };
  /** The environment of the operator's process (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** One human-readable line at a time. */
  readonly print: (line: string) => void;
  /** The operator's own output, passed through. */
  readonly operatorOutput?: (chunk: string) => void;
  /** Resolves `started` once the operator first runs (for benchmarks and tests). */
  readonly onReady?: (info: { kubeconfigPath: string; elapsedMs: number }) => void;
  /** Called after each operator restart with its trigger. */
  readonly onRestart?: (reason: string) => void;
}

const NAMESPACE = 'default';

/** Runs until `signal` aborts; then stops everything it started (the control plane keeps its data). */
export async function runDevSession(options: DevSessionOptions, signal: AbortSignal): Promise<void> {
  const t0 = Date.now();
  const { root, print } = options;
  const env = options.cluster ? undefined : new TestEnvironment({ stateDir: join(root, '.opkit', 'dev'), controllers: ['garbagecollector', 'namespace'] });
  let transport: Transport | undefined;
  let operator: ChildProcess | undefined;
  const watchers: FSWatcher[] = [];
  try {
    let adminKubeconfig: string | undefined;
    let kubeConfig: KubeConfig;
    if (env) {
      const started = await env.start();
      kubeConfig = started.kubeConfig;
      adminKubeconfig = started.kubeconfigPath;
      print(`control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${started.server}; data kept in ${relative(root, join(root, '.opkit', 'dev'))})`);
    } else {
      kubeConfig = options.cluster?.kubeConfig as KubeConfig;
      adminKubeconfig = options.cluster?.kubeconfigPath;
    }
    transport = createTransport(kubeConfig);
    const admin = createClient(transport);
    let kinds = await applyCrds(admin, join(root, 'config', 'crd'), signal);
    const samples = await applySamples(admin, join(root, 'config', 'samples'), kinds, signal);
    if (samples.length > 0) print(`applied ${samples.join(', ')} (server-side apply)`);

    // the identity is issued once; config/rbac is re-applied only when a change regenerated it
    let identityPath: string | undefined;
    const operatorKubeconfig = async (): Promise<string | undefined> => {
      if (!env) return options.cluster?.kubeconfigPath;
      const changed = await regenerateRbac(root, print);
      if (changed || identityPath === undefined) {
        identityPath = (await issueOperatorIdentity(env, { rbacDir: join(root, 'config', 'rbac'), namespace: NAMESPACE })).kubeconfigPath;
      }
      return identityPath;
    };
    if (options.cluster) await warnIfLeaseHeld(admin, `${options.projectStem}-leader-election`, print);

    let kubeconfigForOperator = await operatorKubeconfig();
    const start = (): ChildProcess => {
      const tsx = join(root, 'node_modules', '.bin', 'tsx');
      const child = spawn(existsSync(tsx) ? tsx : 'tsx', ['src/main.ts'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...(options.env ?? process.env),
          ...(kubeconfigForOperator === undefined ? {} : { KUBECONFIG: kubeconfigForOperator }),
          POD_NAMESPACE: NAMESPACE,
          METRICS_BIND_ADDRESS: '0',
          HEALTH_PROBE_BIND_ADDRESS: '0',
        },
      });
      const out = options.operatorOutput ?? ((c: string) => process.stdout.write(c));
      child.stdout?.on('data', (c: Buffer) => out(c.toString('utf8')));
      child.stderr?.on('data', (c: Buffer) => out(c.toString('utf8')));
      return child;
    };
    operator = start();
    const plural = [...kinds.values()][0]?.plural;
    if (adminKubeconfig !== undefined) {
      print(`kubeconfig: ${adminKubeconfig}`);
      print(`try:        KUBECONFIG=${adminKubeconfig} kubectl get ${plural ?? 'all'} -A`);
    }
    print(`operator:   src/main.ts as ${env ? `system:serviceaccount:${NAMESPACE}:controller-manager (config/rbac)` : 'your kubeconfig user'}; restarts on changes in src/, config/crd regenerates src/api. Ctrl-C stops.`);
    options.onReady?.({ kubeconfigPath: adminKubeconfig ?? '', elapsedMs: Date.now() - t0 });

    // one restart at a time; changes during a restart queue exactly one more
    let pending: string | undefined;
    let busy = false;
    const restart = async (reason: string): Promise<void> => {
      if (busy) {
        pending = reason;
        return;
      }
      busy = true;
      try {
        for (let next: string | undefined = reason; next !== undefined && !signal.aborted; next = pending, pending = undefined) {
          // the old operator drains while the RBAC is regenerated
          const [, kubeconfigPath] = await Promise.all([
            stopChild(operator),
            (async () => {
              if (next.startsWith('config/crd')) {
                await generateTypes({ inputs: [join(root, 'config', 'crd')], out: join(root, 'src', 'api') });
                kinds = await applyCrds(admin, join(root, 'config', 'crd'), signal);
              }
              return operatorKubeconfig();
            })(),
          ]);
          kubeconfigForOperator = kubeconfigPath;
          operator = start();
          print(`restarted the operator (${next})`);
          options.onRestart?.(next);
        }
      } catch (err) {
        print(`error: ${describeError(err)} (fix it and save again)`);
      } finally {
        busy = false;
      }
    };
    const debounced = debounce((reason: string) => void restart(reason), 100);
    watchers.push(
      watch(join(root, 'src'), { recursive: true }, (_event, file) => {
        if (file && !String(file).endsWith('~')) debounced(`src/${String(file)}`);
      }),
    );
    if (existsSync(join(root, 'config', 'crd'))) {
      watchers.push(watch(join(root, 'config', 'crd'), (_event, file) => file && /\.ya?ml$/.test(String(file)) && debounced(`config/crd/${String(file)}`)));
    }
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    for (const w of watchers) w.close();
    await stopChild(operator);
    transport?.close();
    await env?.stop();
    print('stopped (the control plane keeps its data in .opkit/dev; delete the folder to start afresh)');
  }
}

/** Regenerates config/rbac; whether a file changed. A failure is printed, never thrown. */
async function regenerateRbac(root: string, print: (line: string) => void): Promise<boolean> {
  try {
    const written = (await generateRbac({ cwd: root })).files.filter((x) => x.status === 'written');
    for (const f of written) print(`regenerated ${f.path}`);
    return written.length > 0;
  } catch (err) {
    print(`error: ${describeError(err)} (config/rbac left as it was)`);
    return false;
  }
}

async function warnIfLeaseHeld(client: Client, name: string, print: (line: string) => void): Promise<void> {
  try {
    const lease = await client.get(Lease, { namespace: NAMESPACE, name });
    const holder = lease.spec?.holderIdentity;
    const renewed = lease.spec?.renewTime ? Date.parse(String(lease.spec.renewTime)) : 0;
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    if (holder && Date.now() - renewed < duration) {
      print(
        `warning: ${holder} (a deployed operator?) holds the Lease ${NAMESPACE}/${name}: this dev operator (its own identity) waits as a candidate and ` +
          `will not reconcile until that one stops; scale it down with kubectl scale deployment --replicas=0 to take over`,
      );
    }
  } catch {
    // no Lease yet: nobody leads
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function debounce(fn: (reason: string) => void, ms: number): (reason: string) => void {
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  return (reason) => {
    last = reason;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => fn(last), ms);
  };
}
