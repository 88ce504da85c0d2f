/**
 * `opkit-envtest`: build, locate and run the local control plane.
 *
 *   opkit-envtest install [--kubernetes-version v1.37.2] [--etcd-version v3.6.16] [--force]
 *   opkit-envtest path
 *   opkit-envtest start [--crd <file|dir>]...
 */
import { parseArgs } from 'node:util';
import { resolveBinaries, resolveControllerManager } from './assets.js';
import { TestEnvironment } from './environment.js';
import { installBinaries } from './install.js';
import { OpkitError } from '../errors/opkit-error.js';

const USAGE = `Usage:
  opkit-envtest install [--kubernetes-version vX.Y.Z] [--etcd-version vX.Y.Z] [--force]
      Build kube-apiserver, kube-controller-manager and etcd from Go modules into the per-user
      cache (idempotent).
  opkit-envtest path
      Print where the binaries are (honours KUBEBUILDER_ASSETS, TEST_ASSET_KUBE_APISERVER, TEST_ASSET_ETCD).
  opkit-envtest start [--crd <file|dir>]...
      Start a local control plane, print how to reach it, and run until Ctrl-C.
`;

/**
 * Runs `opkit-envtest` (also `opkit envtest`) with `argv` (without node and script); resolves to
 * the exit code. Errors from the harness are printed as one clear line; others are rethrown.
 */
export async function runEnvtestCli(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    if (err instanceof OpkitError) {
      console.error(`opkit-envtest: ${err.message}`);
      return 1;
    }
    if (err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`opkit-envtest: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const env = process.env;
  const versions = {
    ...(env['OPKIT_KUBERNETES_VERSION'] ? { kubernetesVersion: env['OPKIT_KUBERNETES_VERSION'] } : {}),
    ...(env['OPKIT_ETCD_VERSION'] ? { etcdVersion: env['OPKIT_ETCD_VERSION'] } : {}),
  };
  switch (command) {
    case 'install': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          'kubernetes-version': { type: 'string' },
          'etcd-version': { type: 'string' },
          force: { type: 'boolean', default: false },
        },
      });
      if (!values.force && (env['KUBEBUILDER_ASSETS'] || (env['TEST_ASSET_KUBE_APISERVER'] && env['TEST_ASSET_ETCD']))) {
        const bins = resolveBinaries({ ...versions });
        console.log(
          `using your own binaries (KUBEBUILDER_ASSETS / TEST_ASSET_*):\n  kube-apiserver: ${bins.kubeApiserver}\n  etcd:           ${bins.etcd}`,
        );
        return 0;
      }
      const result = await installBinaries({
        ...versions,
        ...(values['kubernetes-version'] ? { kubernetesVersion: values['kubernetes-version'] } : {}),
        ...(values['etcd-version'] ? { etcdVersion: values['etcd-version'] } : {}),
        force: values.force ?? false,
        onProgress: (line) => console.log(`[opkit-envtest] ${line}`),
      });
      console.log(result.built.length ? `built: ${result.built.join(', ')}` : 'already installed; nothing to build');
      return 0;
    }
    case 'path': {
      const bins = resolveBinaries(versions);
      console.log(`kube-apiserver: ${bins.kubeApiserver}\netcd:           ${bins.etcd}`);
      try {
        console.log(`kube-controller-manager: ${resolveControllerManager(versions)}`);
      } catch (err) {
        if (!(err instanceof OpkitError)) throw err;
        console.log(`kube-controller-manager: not installed (needed only for TestEnvironment({ controllers }))`);
      }
      return 0;
    }
    case 'start': {
      const { values } = parseArgs({ args: [...rest], options: { crd: { type: 'string', multiple: true } } });
      const env = new TestEnvironment({ crdPaths: values.crd ?? [], assets: versions });
      const t0 = Date.now();
      const started = await env.start();
      console.log(`control plane ready in ${Date.now() - t0} ms
  server:     ${started.server}
  kubeconfig: ${started.kubeconfigPath}

Try: KUBECONFIG=${started.kubeconfigPath} kubectl get namespaces
Press Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await env.stop();
      console.log('stopped');
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
