/**
 * `opkit dev`: the inner loop with no cluster, no Docker and no kubeconfig. Exit codes: 0 after
 * Ctrl-C; 1 a failed start (outside a project, a kubeconfig pointing at a real cluster without
 * --cluster, a control plane that does not start); 2 a usage error.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { describeError, OpkitError } from '@opkit/runtime';
import { findProjectRoot } from '../../generators/shared/project.js';
import { DevError } from '../dev/manifests.js';
import { runDevSession } from '../dev/session.js';

/** Usage text of `opkit dev`. */
export const DEV_USAGE = `Usage: opkit dev [--cluster]

Runs the operator from source against a local control plane (kube-apiserver, etcd and
kube-controller-manager's garbage collector), kept in .opkit/dev so a restart keeps its data:
installs config/crd and applies config/samples (server-side apply), regenerates config/rbac
and runs src/main.ts as the operator's ServiceAccount bound only to it, restarts the operator
on every change under src/, regenerates src/api and re-applies the CRDs when config/crd
changes. Prints the kubeconfig and a kubectl line to try; Ctrl-C stops everything.

Options:
      --cluster   run against the cluster of the current kubeconfig instead (as your user,
                  with a leader-election identity of its own; warns when another operator
                  holds the Lease)
  -h, --help      show this help
`;

/** Where the command writes and what it reads; tests inject them. */
export interface DevCommandIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops the session (default: SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/**
 * The kubeconfig `--cluster` uses, or a refusal when KUBECONFIG points at a real cluster and
 * `--cluster` is not given (a user who set KUBECONFIG may expect opkit dev to use it; it never
 * touches a cluster unasked).
 */
export function clusterGuard(env: NodeJS.ProcessEnv, cluster: boolean): { kubeConfig: KubeConfig; kubeconfigPath: string | undefined } | undefined {
  const path = env['KUBECONFIG'];
  if (!cluster && (path === undefined || path === '')) return undefined;
  const kubeConfig = new KubeConfig();
  try {
    if (path) kubeConfig.loadFromFile(path.split(':')[0] as string);
    else kubeConfig.loadFromDefault();
  } catch (cause) {
    if (!cluster) return undefined;
    throw new DevError({ reason: 'RealCluster', message: `--cluster: cannot read the kubeconfig (${describeError(cause)}); set KUBECONFIG or fix ~/.kube/config`, cause });
  }
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (cluster) {
    if (server === '') throw new DevError({ reason: 'RealCluster', message: '--cluster: the current kubeconfig has no current cluster; set a current-context' });
    return { kubeConfig, kubeconfigPath: path ? (path.split(':')[0] as string) : undefined };
  }
  if (server !== '' && !LOOPBACK.test(server)) {
    throw new DevError({
      reason: 'RealCluster',
      message:
        `KUBECONFIG (${path ?? ''}) points at ${server}, a real cluster; opkit dev runs its own local control plane and never touches a cluster unasked. ` +
        `Unset KUBECONFIG to develop locally, or pass --cluster to run against that cluster`,
    });
  }
  return undefined;
}

function projectStem(root: string): string {
  const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name ?? 'operator';
  return name.replace(/^@[^/]+\//, '').replace(/-operator$/, '');
}

/** `opkit dev [--cluster]`; resolves to the exit code when the session ends. */
export async function runDev(argv: readonly string[], io: DevCommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { cluster: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    io.stderr(`error: ${describeError(err)}\n\n${DEV_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(DEV_USAGE);
    return 0;
  }
  const root = findProjectRoot(io.cwd);
  let pkgOpkit = false;
  try {
    pkgOpkit = typeof (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { opkit?: unknown }).opkit === 'object';
  } catch {
    pkgOpkit = false;
  }
  if (!pkgOpkit) {
    io.stderr(`error: ${io.cwd} is not inside an Opkit project (no package.json with an "opkit" section here or above); cd into your operator project, or create one with npm create operator. Nothing was started\n`);
    return 1;
  }
  let signal = io.signal;
  let detach = (): void => undefined;
  if (signal === undefined) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    detach = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    signal = controller.signal;
  }
  try {
    const cluster = clusterGuard(io.env, values.cluster === true);
    await runDevSession(
      { root, projectStem: projectStem(root), ...(cluster ? { cluster } : {}), env: io.env, print: (line) => io.stdout(`opkit dev: ${line}\n`), operatorOutput: io.stdout },
      signal,
    );
    return 0;
  } catch (err) {
    if (err instanceof OpkitError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    detach();
  }
}
