import type { KubeConfig } from '@kubernetes/client-node';
import { gvkString, type KubeObject, type Resource } from '../api/resource.js';
import { createCache, type CacheOptions } from '../cache/cache.js';
import type { Cache, Informer } from '../cache/types.js';
import { createClient, type Client } from '../client/client.js';
import type { ServerHealth } from '../client/health.js';
import type { RestConfig } from '../client/rest-config.js';
import { createTransport, type Transport, type TransportOptions } from '../client/transport.js';
import type { ControllerHost } from '../controller/builder.js';
import { Controller } from '../controller/controller.js';
import type { ControllerMetrics } from '../controller/metrics.js';
import { describeError } from '../errors/opkit-error.js';
import type { EventRecorder } from '../events/recorder.js';
import { fencedClient } from '../leader/fence.js';
import { createJsonLogger, type Logger, type LogLevel } from '../log/logger.js';
import { OperatorMetrics } from '../metrics/metrics.js';
import { transportMetrics, watchHealthMetrics } from '../metrics/client.js';
import type { HealthCheck } from '../server/health.js';
import type { WorkqueueMetrics } from '../queue/metrics.js';
import { realClock, type Clock } from '../util/clock.js';
import { KindNotServedError } from '../watch/errors.js';
import { cachedClient } from './client.js';
import { eventsFlowing } from './readiness.js';
import { ManagerError } from '../errors/manager-error.js';
import { runAll } from './run.js';
import { ManagerOperations, type OperationsOptions } from './operations.js';
import type { Runnable } from '../lifecycle/runnable.js';
import { linkAbort } from '../lifecycle/abort.js';
import { WebhookServer, type WebhookServerOptions } from '../webhook/server.js';
import { prometheusWebhookMetrics } from '../webhook/metrics.js';

/** What a cache factory gets from the manager. */
export interface CacheDependencies {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Limit every informer to this namespace (all namespaces when undefined). */
  readonly namespace: string | undefined;
}

/** Replaces the manager's metrics sinks (default: the Prometheus ones of `mgr.metrics`). */
export interface ManagerMetricsOptions {
  readonly controller?: ControllerMetrics;
  /** The `workqueue_*` sink for the queue of the controller named `name`. */
  readonly workqueue?: (name: string) => WorkqueueMetrics;
}

/** Options of {@link Manager} (with leader election, endpoints and events from {@link OperationsOptions}). */
export interface ManagerOptions extends OperationsOptions {
  /**
   * The API server and credentials: a {@link RestConfig} from `loadKubeConfig()` (no client-node
   * import at run time), or a client-node `KubeConfig` (its current context).
   */
  readonly kubeConfig: RestConfig | KubeConfig;
  /** Watch and cache only this namespace (default: all namespaces). */
  readonly namespace?: string;
  /** Source of time for every timer the manager and its controllers use (default {@link realClock}). */
  readonly clock?: Clock;
  /** Default: {@link createJsonLogger} (JSON lines to stdout, level `logLevel`). */
  readonly logger?: Logger;
  /** Level of the default logger (default `info`); ignored when `logger` is given. */
  readonly logLevel?: LogLevel;
  /** How long runnables may take to stop after the signal aborts, in ms (default 30 000). */
  readonly gracefulShutdownTimeoutMs?: number;
  /** How long to wait for the caches to sync before failing, in ms (default 120 000). */
  readonly cacheSyncTimeoutMs?: number;
  readonly metrics?: ManagerMetricsOptions;
  /** Options of the HTTP transport (default: 64 sockets, user agent `opkit`). */
  readonly transport?: TransportOptions;
  /**
   * Options of the default cache ({@link createCache}): transform, freeze, resync, watcher tuning,
   * per-informer overrides. The manager supplies transport, clock, namespace and error logging.
   */
  readonly cache?: Omit<CacheOptions, 'transport' | 'clock' | 'namespace'>;
  /** Replaces the default cache entirely (e.g. a fake in unit tests); `cache` is then ignored. */
  readonly newCache?: (deps: CacheDependencies) => Cache;
  /**
   * Options of `mgr.client`. `unsafeDisableDeepCopy: true` makes its `get`/`list` return the
   * cache's shared, deep-frozen objects instead of private copies (default false; a single read
   * can still choose with its own `unsafeDisableDeepCopy`). See docs/controllers.md.
   */
  readonly client?: { readonly unsafeDisableDeepCopy?: boolean };
  /**
   * Options of the webhook server `mgr.webhookServer` (port 9443, certificates from
   * `<tmpdir>/k8s-webhook-server/serving-certs` by default): given, the server is created at once;
   * otherwise on first use of `mgr.webhookServer`. The manager supplies clock, logger and metrics.
   */
  readonly webhook?: Omit<WebhookServerOptions, 'clock' | 'logger' | 'metrics'>;
}

/**
 * Runs controllers and other runnables over one shared cache: controller-runtime's Manager.
 *
 * - `mgr.client` reads from the cache — private copies, change them freely — and writes to the
 *   API server (see {@link cachedClient});
 * - `mgr.apiReader` (a full client) reads straight from the API server;
 * - `mgr.cache` is the shared informer cache.
 *
 * Guarantees: `start(signal)` starts the cache, waits until every informer requested so far has
 * synced, then starts plain runnables, then (while leading) leader-elected ones — controllers are
 * leader-elected by default. When `signal` aborts: runnables stop taking work and get
 * `gracefulShutdownTimeoutMs` to finish, then the cache stops, the transport closes and `start`
 * resolves; nothing is left holding the event loop.
 * Caveats: `start` rejects with a {@link ManagerError} (after the same clean shutdown) when the
 * caches cannot sync (`CacheSyncFailed`, naming the kind), a runnable fails, or leadership is lost.
 */
export class Manager implements ControllerHost {
  readonly cache: Cache;
  readonly client: Client;
  /** A client that reads straight from the API server (no cache). */
  readonly apiReader: Client;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly namespace: string | undefined;
  readonly gracefulShutdownTimeoutMs: number;
  readonly controllerMetrics: ControllerMetrics;
  /** This manager's Prometheus metrics; register your own on `mgr.metrics.registry`. */
  readonly metrics: OperatorMetrics;
  /** Whether leader-elected work may run now (false once a Lease elector's renew deadline passed). */
  readonly leaderGate: () => boolean;
  /** The API server's health as the transport sees it (controllers retry outage failures on its recovery). */
  readonly serverHealth: ServerHealth | undefined;
  readonly #ops: ManagerOperations;
  readonly #options: ManagerOptions;
  readonly #transport: Transport;
  readonly #runnables: Runnable[] = [];
  readonly #controllerNames = new Set<string>();
  #webhookServer: WebhookServer | undefined;
  #started = false;

  /** @throws ApiError when the kubeconfig has no current cluster. */
  constructor(options: ManagerOptions) {
    this.#options = options;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? createJsonLogger({ clock: this.clock, level: options.logLevel ?? 'info' });
    this.namespace = options.namespace;
    this.gracefulShutdownTimeoutMs = options.gracefulShutdownTimeoutMs ?? 30_000;
    const metrics = new OperatorMetrics();
    this.#transport = createTransport(options.kubeConfig, {
      clock: this.clock,
      logger: this.logger.child({ component: 'client' }),
      metrics: transportMetrics(metrics.lazyRegistry),
      ...options.transport,
    });
    this.serverHealth = this.#transport.health;
    this.apiReader = createClient(this.#transport);
    const ops = (this.#ops = new ManagerOperations({ options, client: this.apiReader, clock: this.clock, logger: this.logger, namespace: this.namespace, metrics }));
    this.metrics = ops.metrics;
    this.controllerMetrics = options.metrics?.controller ?? ops.metrics.controller;
    this.leaderGate = () => ops.leaderGate();
    this.#runnables.push(ops.events);
    const deps: CacheDependencies = { transport: this.#transport, clock: this.clock, logger: this.logger, namespace: this.namespace };
    this.cache = options.newCache ? options.newCache(deps) : defaultCache(deps, options.cache);
    const cache = this.cache;
    watchHealthMetrics(metrics.lazyRegistry, () => cache.watchHealth?.() ?? []);
    ops.readyz.add('informer-watch', () => eventsFlowing(cache, this.clock));
    const writer = ops.leaseElector ? fencedClient(this.apiReader, () => ops.mayWrite()) : this.apiReader;
    this.client = cachedClient({ reader: this.cache, writer, ...(options.client?.unsafeDisableDeepCopy === undefined ? {} : { unsafeDisableDeepCopy: options.client.unsafeDisableDeepCopy }) });
    if (options.webhook !== undefined) void this.webhookServer;
  }

  /**
   * The webhook server (controller-runtime's `GetWebhookServer`), made from `options.webhook` on
   * first use; register handlers on it, or use `admissionFor(mgr, Kind)`.
   *
   * Guarantees: served on every replica, leader or not; it listens before the caches start (a
   * conversion webhook must answer before informers of converted kinds can sync) and stops after
   * the runnables; `/readyz` includes its `webhook` check (listening, certificate loaded); its
   * metrics are on `mgr.metrics`. A missing or unreadable certificate directory makes `start()`
   * reject with the server's typed error.
   * @throws {ManagerError} `AlreadyStarted` when first used after `start()`.
   */
  get webhookServer(): WebhookServer {
    if (this.#webhookServer) return this.#webhookServer;
    if (this.#started) throw new ManagerError({ reason: 'AlreadyStarted', message: 'create the webhook server (mgr.webhookServer, or the webhook option) before mgr.start()' });
    const server = new WebhookServer({ ...this.#options.webhook, clock: this.clock, logger: this.logger.child({ component: 'webhook' }), metrics: prometheusWebhookMetrics(this.metrics.registry) });
    this.#ops.readyz.add('webhook', () => server.checkReady());
    this.#webhookServer = server;
    return server;
  }

  /** The `workqueue_*` sink for controller `name` (`options.metrics.workqueue`, else Prometheus). */
  workqueueMetrics(name: string): WorkqueueMetrics | undefined {
    return this.#options.metrics?.workqueue ? this.#options.metrics.workqueue(name) : this.#ops.metrics.workqueue(name);
  }

  /** Adds a `/healthz` check (`ping` is built in). */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.#ops.healthz.add(name, check);
  }

  /**
   * Adds a `/readyz` check. Built in: `informer-sync` (the caches synced once) and
   * `informer-watch` (every synced informer has an open watch: events are flowing now).
   */
  addReadyCheck(name: string, check: HealthCheck): void {
    this.#ops.readyz.add(name, check);
  }

  /** An events.k8s.io/v1 recorder reporting as `controller` (controller-runtime's `GetEventRecorderFor`). */
  eventRecorder(controller: string): EventRecorder {
    return this.#ops.events.recorder(controller);
  }

  /** The bound `/metrics` address once started (port 0 resolved), undefined when disabled. */
  metricsAddress(): { address: string; port: number } | undefined {
    return this.#ops.metricsAddress();
  }

  /** The bound `/healthz`+`/readyz` address once started, undefined when disabled. */
  healthProbeAddress(): { address: string; port: number } | undefined {
    return this.#ops.healthProbeAddress();
  }

  /** The Lease elector's view (undefined without Lease-based leader election). */
  get leaderElection(): { readonly identity: string; isLeading(): boolean } | undefined {
    return this.#ops.leaseElector;
  }

  /**
   * Registers a runnable (controllers register themselves from `reconcile()`).
   * @throws {ManagerError} `AlreadyStarted` after `start()`; `DuplicateController` for a reused controller name.
   */
  add(runnable: Runnable): void {
    if (this.#started) throw new ManagerError({ reason: 'AlreadyStarted', message: 'add runnables before mgr.start()' });
    if (runnable instanceof Controller) {
      if (this.#controllerNames.has(runnable.name)) {
        throw new ManagerError({ reason: 'DuplicateController', message: `a controller named "${runnable.name}" is already registered; use .named() to pick another` });
      }
      this.#controllerNames.add(runnable.name);
    }
    this.#runnables.push(runnable);
  }

  /**
   * Runs everything until `signal` aborts, then shuts down gracefully and resolves.
   *
   * Guarantees: the process stays alive while the manager runs, even when nothing else is pending
   * (an API server that is down at start: the retries' timers do not hold the event loop).
   * @throws {ManagerError} see the class Caveats.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new ManagerError({ reason: 'AlreadyStarted', message: 'mgr.start() may be called only once' });
    this.#started = true;
    const log = this.logger.child({ component: 'manager' });
    const cacheCtl = new AbortController();
    log.info('Starting manager', { runnables: this.#runnables.length, namespace: this.namespace ?? '' });
    // The process lives while the manager runs, as controller-runtime's Start blocks: the library's
    // timers are unref'd, so waiting out a backoff or a Retry-After with no connection open (the API
    // server down at start) would otherwise let Node exit with the start still pending.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const webhookCtl = new AbortController();
    let webhookRun: Promise<void> = Promise.resolve();
    try {
      await this.#ops.listen();
      if (this.#webhookServer) {
        await this.#webhookServer.listen();
        webhookRun = this.#webhookServer.start(webhookCtl.signal).catch((err: unknown) => log.error('The webhook server stopped', { err }));
      }
    } catch (err) {
      clearInterval(keepAlive);
      await this.#webhookServer?.close();
      await this.#ops.close();
      this.#transport.close();
      throw err;
    }
    const cacheRun = this.cache.start(cacheCtl.signal).then(
      () => undefined,
      (err: unknown) => err,
    );
    try {
      const synced = await this.#waitForCaches(signal, cacheRun);
      if (!synced) return;
      this.#ops.markSynced();
      log.info('Caches synced; starting runnables');
      await runAll({
        runnables: this.#runnables,
        signal,
        elector: this.#ops.elector,
        clock: this.clock,
        gracefulShutdownTimeoutMs: this.gracefulShutdownTimeoutMs,
        log,
        cacheFailure: cacheRun,
      });
      log.info('Runnables stopped');
    } finally {
      cacheCtl.abort();
      webhookCtl.abort();
      await Promise.all([cacheRun, webhookRun]);
      await this.#ops.close();
      this.#transport.close();
      clearInterval(keepAlive);
      log.info('Manager stopped');
    }
  }

  /** True once synced; false when `signal` aborted first. */
  async #waitForCaches(signal: AbortSignal, cacheRun: Promise<unknown>): Promise<boolean> {
    const informers = new Map<Informer<KubeObject>, true>();
    for (const r of this.#runnables) if (r instanceof Controller) for (const i of r.informers) informers.set(i, true);
    const timeoutMs = this.#options.cacheSyncTimeoutMs ?? 120_000;
    const syncCtl = linkAbort([signal]);
    const timer = this.clock.setTimer(timeoutMs, () =>
      syncCtl.abort(new ManagerError({ reason: 'CacheSyncFailed', message: `caches did not sync within ${timeoutMs} ms` })),
    );
    const pending = new Set(informers.keys());
    try {
      const each = [...informers.keys()].map((informer) =>
        informer.waitForSync(syncCtl.signal).then(
          () => void pending.delete(informer),
          (cause: unknown) => {
            throw signal.aborted ? cause : syncFailed(cause, informer.resource);
          },
        ),
      );
      const cacheDied = cacheRun.then((err) => {
        throw syncFailed(err, undefined);
      });
      cacheDied.catch(() => undefined);
      await Promise.race([Promise.all(each), cacheDied]);
      if (!(await this.cache.waitForCacheSync(syncCtl.signal)) && !signal.aborted) {
        throw new ManagerError({ reason: 'CacheSyncFailed', message: `caches did not sync within ${timeoutMs} ms` });
      }
      return !signal.aborted;
    } catch (err) {
      if (signal.aborted) return false;
      if (syncCtl.signal.aborted && pending.size > 0) {
        const kinds = [...pending].map((i) => gvkString(i.resource)).join(', ');
        throw new ManagerError({ reason: 'CacheSyncFailed', message: `caches did not sync within ${timeoutMs} ms: ${kinds}`, cause: err });
      }
      throw err;
    } finally {
      timer.cancel();
      syncCtl.dispose();
    }
  }
}

type Gvk = Pick<Resource, 'group' | 'version' | 'kind'>;

/** A `CacheSyncFailed` error naming the kind: from the watcher's typed error, or from `resource`. */
function syncFailed(cause: unknown, resource: Gvk | undefined): ManagerError {
  const kind: Gvk | undefined = cause instanceof KindNotServedError ? cause : resource;
  const what = kind
    ? `the cache for ${gvkString(kind)} (group "${kind.group}", version "${kind.version}", kind "${kind.kind}")`
    : 'the cache';
  const detail = cause === undefined ? 'it stopped before syncing' : describeError(cause);
  return new ManagerError({ reason: 'CacheSyncFailed', message: `failed to sync ${what}: ${detail}`, cause });
}

function defaultCache(deps: CacheDependencies, options: ManagerOptions['cache']): Cache {
  const log = deps.logger.child({ component: 'cache' });
  const userOnError = options?.onError;
  return createCache({
    ...options,
    transport: deps.transport,
    clock: deps.clock,
    ...(deps.namespace === undefined ? {} : { namespace: deps.namespace }),
    onError: (err, informer) => {
      log.warn('informer error (retrying)', { kind: gvkString(informer.resource), namespace: informer.scope.namespace ?? '', err });
      userOnError?.(err, informer);
    },
  });
}
