import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { resolveBinaries, resolveControllerManager, type AssetOptions, type ControlPlaneBinaries } from './assets.js';
import { createControlPlaneCerts, type ControlPlaneCerts } from './certs.js';
import { checkControllerNames, startControllerManager, type ControllerName } from './controller-manager.js';
import { loadCrds, type CrdDocument } from './crds.js';
import { TestEnvironmentError } from './errors.js';
import { issueIdentity as issue, type Identity, type IdentityRequest } from './identity.js';
import { freePort } from './ports.js';
import { ManagedProcess } from './process.js';
import { ReaperClient } from './reaper-client.js';
import { persistentCerts } from './state-dir.js';
import { restRequest, statusMessage, type RestTarget } from './rest.js';
import type { KeyPair } from '../util/x509.js';
import {
  applyConfigurations,
  applyConversion,
  configurationsFor,
  loadWebhookManifests,
  pointCrdConversion,
  WebhookCertificates,
  type InstallWebhooksOptions,
  type WebhookInstallOptions,
  type WebhookServing,
  type WebhookSource,
} from './webhooks.js';

/** Default of {@link TestEnvironmentOptions.apiServerStopGraceMs}. */
const APISERVER_STOP_GRACE_MS = 1500;

/** Options of {@link TestEnvironment}. */
export interface TestEnvironmentOptions {
  /** CRD files or folders (multi-document YAML/JSON) to install before `start()` resolves. */
  readonly crdPaths?: readonly string[];
  /** Explicit binaries; default: {@link resolveBinaries} with `assets`. */
  readonly binaries?: ControlPlaneBinaries;
  /** Where to look for binaries when `binaries` is not given. */
  readonly assets?: AssetOptions;
  /** Deadline for each readiness wait, in ms (default 60 000). */
  readonly startTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. `['--v=4']`; they override the defaults of the same name. */
  readonly apiServerFlags?: readonly string[];
  /**
   * kube-controller-manager controllers to run, e.g. `['garbagecollector', 'namespace']` (default
   * none): owner references and namespace deletion then behave as in a cluster. Needs the
   * kube-controller-manager binary (`npx opkit-envtest install`, or
   * `TEST_ASSET_KUBE_CONTROLLER_MANAGER`).
   */
  readonly controllers?: readonly ControllerName[];
  /** The kube-controller-manager binary (default: found like the other binaries). */
  readonly kubeControllerManager?: string;
  /**
   * Keep the control plane's data and certificates in this folder instead of a temp dir (default:
   * a temp dir removed by `stop()`). A later environment with the same `stateDir` starts on the
   * same etcd data — objects, CRDs and ServiceAccounts survive — in seconds (what `opkit dev`
   * does). `stop()` stops the processes and keeps the folder. Caveats: one environment per folder
   * at a time; CRDs in `crdPaths` must not exist yet (apply them yourself on a restart).
   */
  readonly stateDir?: string;
  /** Receives warnings such as skipped non-CRD documents (default `console.warn`). */
  readonly onWarning?: (message: string) => void;
  /**
   * How long kube-apiserver may take to exit after SIGTERM before it is killed, in ms (default
   * 1500). With the test shutdown flags it usually exits in about 1 s, but now and then it hangs
   * in a shutdown hook; etcd keeps the data either way, so a restart need not wait for it.
   */
  readonly apiServerStopGraceMs?: number;
  /**
   * Serve webhooks to this control plane from the test process (envtest's WebhookInstallOptions):
   * `start()` makes a CA and a serving certificate for 127.0.0.1 in a cert dir, picks a free port
   * ({@link TestEnvironment.webhookOptions}, the Manager's `webhook` option), points CRDs with a
   * `Webhook` conversion strategy at it, and installs `manifestPaths`; handlers registered later
   * are installed with {@link TestEnvironment.installWebhooks}. Default false.
   */
  readonly webhooks?: boolean | WebhookInstallOptions;
}

/** What {@link TestEnvironment.start} resolves to. */
export interface StartedEnvironment {
  /** A client-node KubeConfig for the admin user (system:masters). */
  readonly kubeConfig: KubeConfig;
  /** The same kubeconfig written to disk, for kubectl or child processes. */
  readonly kubeconfigPath: string;
  /** The API server URL, e.g. `https://127.0.0.1:40123`. */
  readonly server: string;
}

interface Running {
  readonly dir: string;
  readonly reaper: ReaperClient;
  etcd?: ManagedProcess;
  apiserver?: ManagedProcess;
  controllerManager?: ManagedProcess;
  apiserverArgs?: string[];
  target?: RestTarget;
  certs?: ControlPlaneCerts;
  identities?: number;
  started?: StartedEnvironment;
  webhookCerts?: WebhookCertificates;
  webhookServing?: WebhookServing;
}

/**
 * A real control plane (etcd + kube-apiserver) on loopback for tests, like controller-runtime's
 * envtest.
 *
 * Guarantees: free ports, self-signed serving certs, a client-cert admin in `system:masters`,
 * service-account keys, RBAC authorization; `start()` resolves only when `/readyz` is ok and every
 * CRD is Established and served in discovery; a failed `start()` leaves nothing running; `stop()`
 * leaves no process and no temp dir, and neither does a test process that crashes or is killed
 * (a detached reaper cleans up). Several environments can run at once.
 */
export class TestEnvironment {
  readonly #options: TestEnvironmentOptions;
  #running: Running | undefined;
  #apiserverPath: string | undefined;

  constructor(options: TestEnvironmentOptions = {}) {
    this.#options = options;
  }

  /** Starts etcd and kube-apiserver and installs the CRDs. */
  async start(): Promise<StartedEnvironment> {
    if (this.#running?.started) return this.#running.started;
    const warn = this.#options.onWarning ?? ((m: string) => console.warn(`[opkit envtest] ${m}`));
    let crds = loadCrds(this.#options.crdPaths ?? [], warn);
    const binaries = this.#options.binaries ?? resolveBinaries(this.#options.assets);
    const controllers = this.#options.controllers ?? [];
    if (this.#options.controllers !== undefined) checkControllerNames(controllers);
    const kcm = controllers.length > 0 ? (this.#options.kubeControllerManager ?? resolveControllerManager(this.#options.assets)) : undefined;
    const stateDir = this.#options.stateDir;
    if (stateDir !== undefined) mkdirSync(stateDir, { recursive: true });
    const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'opkit-envtest-'));
    // a kept folder is never the reaper's to delete
    const running: Running = { dir, reaper: new ReaperClient(stateDir === undefined ? dir : '') };
    this.#running = running;
    try {
      // etcd boots while the certificates are generated; kube-apiserver retries etcd until it answers
      const etcdReady = this.#startEtcd(running, binaries.etcd);
      const certs = stateDir === undefined ? createControlPlaneCerts() : persistentCerts(dir);
      const started = await this.#startApiserver(running, binaries.kubeApiserver, certs, await etcdReady.spawned);
      await etcdReady.healthy;
      const webhooks = this.#options.webhooks;
      let manifests: ReturnType<typeof loadWebhookManifests> = [];
      if (webhooks) {
        const webhookCerts = (running.webhookCerts = new WebhookCertificates(running.dir));
        const serving = (running.webhookServing = await webhookCerts.newServing());
        crds = crds.map((doc) => ({ ...doc, crd: pointCrdConversion(doc.crd, serving, webhookCerts.caBundle) }));
        manifests = loadWebhookManifests(webhooks === true ? [] : (webhooks.manifestPaths ?? []), serving, webhookCerts.caBundle, warn);
      }
      await installCrds(running.target as RestTarget, crds, this.#timeout);
      await applyConfigurations(running.target as RestTarget, manifests);
      if (kcm !== undefined) {
        const pki = join(running.dir, 'pki');
        running.controllerManager = await startControllerManager({
          binary: kcm,
          controllers,
          kubeconfigPath: started.kubeconfigPath,
          serviceAccountKeyPath: join(pki, 'sa.key'),
          rootCaPath: join(pki, 'ca.crt'),
          dir: running.dir,
          timeoutMs: this.#timeout,
          onSpawn: (pid) => running.reaper.track(pid),
        });
      }
      running.started = started;
      return started;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops kube-apiserver and etcd and removes the temp dir. Safe to call twice. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.controllerManager?.stop();
    await running.apiserver?.stop(this.#options.apiServerStopGraceMs ?? APISERVER_STOP_GRACE_MS);
    await running.etcd?.stop();
    if (this.#options.stateDir === undefined) rmSync(running.dir, { recursive: true, force: true });
    running.reaper.release();
  }

  /**
   * Stops kube-apiserver and starts it again on the same port and etcd, so data survives; resolves
   * when it is ready again. For testing clients' reconnect behaviour.
   */
  async restartApiServer(): Promise<void> {
    this.#requireRunning('restartApiServer');
    await this.stopApiServer();
    await this.startApiServer();
  }

  /**
   * Issues a client identity for a ServiceAccount (created when missing) or any user and groups:
   * a token from TokenRequest or a client certificate signed by the client CA. Its kubeconfig lives
   * in the environment's temp dir and goes away with `stop()`. See {@link IdentityRequest}.
   *
   * Guarantees: the identity is never in `system:masters`; it may do what RBAC grants it and no more.
   */
  async issueIdentity(request: IdentityRequest): Promise<Identity> {
    const running = this.#requireRunning('issueIdentity');
    running.identities = (running.identities ?? 0) + 1;
    return issue(
      { target: running.target as RestTarget, clientCa: (running.certs as ControlPlaneCerts).ca, dir: running.dir, sequence: running.identities },
      request,
    );
  }

  /**
   * Where the test's webhook server serves — `new Manager({ kubeConfig, webhook: env.webhookOptions })`:
   * host 127.0.0.1, the free port the installed configurations point at, and the cert dir with
   * a serving certificate signed by {@link TestEnvironment.webhookCa}.
   * @throws TestEnvironmentError `NotStarted`; `WebhooksNotEnabled` without the `webhooks` option.
   */
  get webhookOptions(): WebhookServing {
    return this.#webhooks('webhookOptions').serving;
  }

  /** The CA (PEM) that signed the webhook serving certificates; the configurations' caBundle. */
  get webhookCa(): string {
    return this.#webhooks('webhookCa').certs.ca.cert;
  }

  /** A new serving certificate for 127.0.0.1 signed by {@link TestEnvironment.webhookCa}, e.g. to test rotation. */
  issueWebhookServingCert(): KeyPair {
    return this.#webhooks('issueWebhookServingCert').certs.issueServing();
  }

  /** Another port and cert dir (same CA), for a second webhook server, e.g. a second replica. */
  async addWebhookServing(): Promise<WebhookServing> {
    return this.#webhooks('addWebhookServing').certs.newServing();
  }

  /**
   * Installs a MutatingWebhookConfiguration and a ValidatingWebhookConfiguration for the
   * described admission webhooks of `source` (a `WebhookServer` after `admissionFor(...).complete()`,
   * or its `webhooks()` list), with `url: https://127.0.0.1:<port><path>` and the test CA as
   * caBundle, so kube-apiserver itself calls them; and points the CRDs of described conversion
   * webhooks at the server. Existing configurations of the same name are replaced.
   *
   * Caveats: kube-apiserver applies new configurations from a watch, within about a second:
   * poll for the first request that depends on them.
   * @throws TestEnvironmentError `WebhooksNotEnabled`, `WebhookInstallFailed`.
   */
  async installWebhooks(source: WebhookSource, options: InstallWebhooksOptions = {}): Promise<void> {
    const { certs, serving, target } = this.#webhooks('installWebhooks');
    const at = options.serving ?? serving;
    await applyConfigurations(target, configurationsFor(source, at, certs.caBundle, options));
    await applyConversion(target, source, at, certs.caBundle);
  }

  #webhooks(what: string): { certs: WebhookCertificates; serving: WebhookServing; target: RestTarget } {
    const running = this.#requireRunning(what);
    if (!running.webhookCerts || !running.webhookServing) {
      throw new TestEnvironmentError({ reason: 'WebhooksNotEnabled', message: `${what} needs webhook serving: create the environment with new TestEnvironment({ webhooks: true })` });
    }
    return { certs: running.webhookCerts, serving: running.webhookServing, target: running.target as RestTarget };
  }

  /** Stops kube-apiserver only (etcd keeps running); see {@link TestEnvironment.startApiServer}. */
  async stopApiServer(): Promise<void> {
    const running = this.#requireRunning('stopApiServer');
    if (running.apiserver) {
      const pid = running.apiserver.pid;
      await running.apiserver.stop(this.#options.apiServerStopGraceMs ?? APISERVER_STOP_GRACE_MS);
      if (pid !== undefined) running.reaper.untrack(pid);
    }
  }

  /** Starts kube-apiserver again after {@link TestEnvironment.stopApiServer}, same port and flags. */
  async startApiServer(): Promise<void> {
    const running = this.#requireRunning('startApiServer');
    if (running.apiserver && !running.apiserver.hasExited) return;
    await this.#launchApiserver(running, running.apiserver?.name ?? 'kube-apiserver');
  }

  get #timeout(): number {
    return this.#options.startTimeoutMs ?? 60_000;
  }

  #requireRunning(what: string): Running {
    const running = this.#running;
    if (!running?.apiserverArgs) {
      throw new TestEnvironmentError({ reason: 'NotStarted', message: `${what}() needs a started environment; call start() first.` });
    }
    return running;
  }

  #startEtcd(running: Running, etcdPath: string): { spawned: Promise<string>; healthy: Promise<void> } {
    const spawned = this.#spawnEtcd(running, etcdPath);
    const healthy = spawned.then((client) =>
      pollUntil(this.#timeout, running.etcd, 'etcd did not become healthy', async () => {
        const res = await fetch(`${client}/health`).catch(() => undefined);
        return res?.ok === true && ((await res.json()) as { health?: string }).health === 'true';
      }),
    );
    healthy.catch(() => undefined); // observed by the caller after the apiserver starts
    return { spawned, healthy };
  }

  async #spawnEtcd(running: Running, etcdPath: string): Promise<string> {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const etcd = new ManagedProcess('etcd', etcdPath, [
      '--name=opkit',
      `--data-dir=${join(running.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=opkit=${peer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
      // a single member: elect itself in ~50 ms instead of ~1 s
      '--heartbeat-interval=10',
      '--election-timeout=50',
    ]);
    running.etcd = etcd;
    if (etcd.pid !== undefined) running.reaper.track(etcd.pid);
    return client;
  }

  async #startApiserver(running: Running, apiserverPath: string, certs: ControlPlaneCerts, etcdUrl: string): Promise<StartedEnvironment> {
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const file = (name: string, content: string): string => {
      const path = join(running.dir, 'pki', name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };
    mkdirSync(join(running.dir, 'pki'), { recursive: true });
    const defaults = [
      `--etcd-servers=${etcdUrl}`,
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(running.dir, 'pki')}`,
      `--tls-cert-file=${file('serving.crt', certs.serving.cert)}`,
      `--tls-private-key-file=${file('serving.key', certs.serving.key)}`,
      `--client-ca-file=${file('ca.crt', certs.ca.cert)}`,
      `--service-account-key-file=${file('sa.pub', certs.serviceAccount.cert)}`,
      `--service-account-signing-key-file=${file('sa.key', certs.serviceAccount.key)}`,
      `--service-account-issuer=${server}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      // tests restart the server to test reconnects: no production drain delays on SIGTERM, pinned
      // whatever the version's defaults (apiServerStopGraceMs bounds the rest)
      '--shutdown-delay-duration=0s',
      '--shutdown-send-retry-after=false',
      '--shutdown-watch-termination-grace-period=0s',
    ];
    running.apiserverArgs = mergeFlags(defaults, this.#options.apiServerFlags ?? []);
    running.target = { server, ca: certs.ca.cert, cert: certs.admin.cert, key: certs.admin.key };
    running.certs = certs;
    await this.#launchApiserver(running, 'kube-apiserver', apiserverPath);

    const kubeconfigPath = join(running.dir, 'kubeconfig');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'envtest', server, caData: b64(certs.ca.cert), skipTLSVerify: false }],
      users: [{ name: 'admin', certData: b64(certs.admin.cert), keyData: b64(certs.admin.key) }],
      contexts: [{ name: 'envtest', cluster: 'envtest', user: 'admin', namespace: 'default' }],
      currentContext: 'envtest',
    });
    writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
    return { kubeConfig, kubeconfigPath, server };
  }

  async #launchApiserver(running: Running, name: string, path?: string): Promise<void> {
    if (path) this.#apiserverPath = path;
    const apiserver = new ManagedProcess(name, this.#apiserverPath as string, running.apiserverArgs ?? []);
    running.apiserver = apiserver;
    if (apiserver.pid !== undefined) running.reaper.track(apiserver.pid);
    const target = running.target as RestTarget;
    await pollUntil(this.#timeout, apiserver, 'did not report ok on /readyz', async () => {
      const res = await restRequest(target, 'GET', '/readyz', undefined, 2000).catch(() => undefined);
      return res?.status === 200;
    });
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** Later flags replace earlier ones with the same `--name`. */
function mergeFlags(defaults: readonly string[], overrides: readonly string[]): string[] {
  const name = (flag: string): string => flag.split('=')[0] as string;
  const overridden = new Set(overrides.map(name));
  return [...defaults.filter((f) => !overridden.has(name(f))), ...overrides];
}

async function pollUntil(
  timeoutMs: number,
  process: ManagedProcess | undefined,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process?.hasExited) throw process.failure(`exited before it was ready (${what})`);
    if (await check()) return;
    if (Date.now() > deadline) {
      if (process) throw process.failure(`${what} within ${timeoutMs} ms`);
      throw new TestEnvironmentError({ reason: 'CrdNotReady', message: `${what} within ${timeoutMs} ms` });
    }
    await delay(50);
  }
}

async function installCrds(target: RestTarget, crds: readonly CrdDocument[], timeoutMs: number): Promise<void> {
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const answers = await Promise.all(crds.map(({ crd }) => restRequest(target, 'POST', base, crd, 60_000)));
  answers.forEach((res, i) => {
    const { source, crd } = crds[i] as CrdDocument;
    if (res.status >= 300) {
      throw new TestEnvironmentError({
        reason: 'CrdRejected',
        message: `the API server rejected CRD ${crd.metadata.name} from ${source} (HTTP ${res.status}): ${statusMessage(res.body)}`,
      });
    }
  });
  await Promise.all(
    crds.map(async ({ crd }) => {
      const name = crd.metadata.name;
      await pollUntil(timeoutMs, undefined, `CRD ${name} did not become Established`, async () => {
        const res = await restRequest(target, 'GET', `${base}/${name}`);
        if (res.status !== 200) return false;
        const status = (JSON.parse(res.body) as { status?: { conditions?: Array<{ type: string; status: string }> } }).status;
        return status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      });
      for (const version of crd.spec.versions.filter((v) => v.served)) {
        const path = `/apis/${crd.spec.group}/${version.name}`;
        await pollUntil(
          timeoutMs,
          undefined,
          `${crd.spec.names.plural}.${crd.spec.group}/${version.name} did not appear in discovery`,
          async () => {
            const res = await restRequest(target, 'GET', path);
            if (res.status !== 200) return false;
            const list = JSON.parse(res.body) as { resources?: Array<{ name: string }> };
            return list.resources?.some((r) => r.name === crd.spec.names.plural) ?? false;
          },
        );
      }
    }),
  );
}
