import { mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TestEnvironmentError } from './errors.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './process.js';

/**
 * kube-controller-manager controllers a test environment can run. `garbagecollector` deletes
 * objects whose owners are gone (cascading and foreground deletes, orphaning); `namespace` empties
 * and removes a deleted namespace. Others of kube-controller-manager's `--controllers` names work
 * too, but are not tested here.
 */
export type ControllerName = 'garbagecollector' | 'namespace' | (string & {});

/** What starting kube-controller-manager needs from a started environment. */
export interface ControllerManagerLaunch {
  /** The kube-controller-manager binary. */
  readonly binary: string;
  /** Controllers to run (kube-controller-manager's `--controllers`). */
  readonly controllers: readonly ControllerName[];
  /** A kubeconfig with a privileged identity (the environment's system:masters admin). */
  readonly kubeconfigPath: string;
  /** The service-account signing key (PEM), for controllers that mint tokens. */
  readonly serviceAccountKeyPath: string;
  /** The CA clients trust, handed to service-account tokens' consumers. */
  readonly rootCaPath: string;
  /** The environment's temp dir; kube-controller-manager writes its serving cert under it. */
  readonly dir: string;
  /** Extra flags, overriding the defaults of the same name. */
  readonly flags?: readonly string[];
  /** Deadline for `/healthz`, in ms. */
  readonly timeoutMs: number;
  /** Called with the pid right after the spawn (the reaper tracks it). */
  readonly onSpawn?: (pid: number) => void;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Starts kube-controller-manager against the environment's API server and resolves once it
 * answers ok on `/healthz`.
 *
 * Guarantees: no leader election (one instance per environment), loopback only; a process that
 * exits or never gets healthy rejects with its last output.
 * Caveats: the garbage collector discovers resources at start and then every 30 s, so owners and
 * dependents of a CRD installed after `start()` are collected only from then on.
 *
 * @throws TestEnvironmentError `InvalidControllers` for an empty list or a malformed name,
 *   `StartFailed` when the process does not get healthy.
 */
export async function startControllerManager(launch: ControllerManagerLaunch): Promise<ManagedProcess> {
  checkControllerNames(launch.controllers);
  const port = await freePort();
  const certDir = join(launch.dir, 'kube-controller-manager');
  mkdirSync(certDir, { recursive: true });
  const defaults = [
    `--kubeconfig=${launch.kubeconfigPath}`,
    `--authentication-kubeconfig=${launch.kubeconfigPath}`,
    `--authorization-kubeconfig=${launch.kubeconfigPath}`,
    `--controllers=${launch.controllers.join(',')}`,
    `--service-account-private-key-file=${launch.serviceAccountKeyPath}`,
    `--root-ca-file=${launch.rootCaPath}`,
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    // the garbage collector and namespace controller act within a second instead of client-go's pacing
    '--kube-api-qps=200',
    '--kube-api-burst=400',
  ];
  const names = new Set((launch.flags ?? []).map((f) => f.split('=')[0]));
  const args = [...defaults.filter((f) => !names.has(f.split('=')[0])), ...(launch.flags ?? [])];
  const process = new ManagedProcess('kube-controller-manager', launch.binary, args);
  if (process.pid !== undefined) launch.onSpawn?.(process.pid);
  const deadline = Date.now() + launch.timeoutMs;
  for (;;) {
    if (process.hasExited) throw process.failure('exited before it was healthy');
    const ok = await healthy(port);
    if (ok) return process;
    if (Date.now() > deadline) {
      await process.stop();
      throw process.failure(`did not report ok on /healthz within ${launch.timeoutMs} ms`);
    }
    await delay(100);
  }
}

/**
 * Checks controller names before anything starts.
 * @throws TestEnvironmentError `InvalidControllers` for an empty list or a malformed name.
 */
export function checkControllerNames(controllers: readonly string[]): void {
  if (controllers.length === 0 || controllers.some((c) => !NAME.test(c))) {
    throw new TestEnvironmentError({
      reason: 'InvalidControllers',
      message: `controllers must be kube-controller-manager controller names, e.g. ['garbagecollector', 'namespace']; got ${JSON.stringify(controllers)}.`,
    });
  }
}

function healthy(port: number): Promise<boolean> {
  // its serving certificate is self-signed: skip verification for this loopback probe only
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET', rejectUnauthorized: false, timeout: 2000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
