import { apiVersionOf, gvkString, type KubeObject, type Resource } from '../api/resource.js';
import type { EventHandler, HandlerRegistration, Informer } from '../cache/types.js';
import type { Client, Reader } from '../client/client.js';
import { describeMissingRule, missingRule } from '../client/forbidden.js';
import { retryAfterOf } from '../client/errors.js';
import type { ServerHealth } from '../client/health.js';
import { describeError } from '../errors/opkit-error.js';
import type { EventRecorder } from '../events/recorder.js';
import type { Logger } from '../log/logger.js';
import type { WorkqueueMetrics } from '../queue/metrics.js';
import type { RateLimiter, RateLimitOptions } from '../queue/rate-limiter.js';
import { RateLimitingQueue } from '../queue/rate-limiting.js';
import { settleWithin, waitForAbort } from '../lifecycle/abort.js';
import type { Clock, Timer } from '../util/clock.js';
import { ControllerError, isTerminalError } from './errors.js';
import { keyString, parseKey, type Request } from './handlers.js';
import { LazyReconcileContext, type ReconcileContextParts } from './reconcile-context.js';
import { noopControllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from './metrics.js';
import type { PrimaryEventRecorder, ReconcileResult, Reconciler } from './reconciler.js';
import { classifyFailure, ParkedKeys } from './requeue.js';

/** One watched informer and the handler that turns its events into keys. */
export interface WatchSource {
  readonly informer: Informer<KubeObject>;
  /** Builds the informer handler around the controller's `enqueue`. */
  readonly handler: (enqueue: (key: string) => void) => EventHandler<KubeObject>;
}

/** Options of {@link Controller}. The builder ({@link controller}) fills them in from the manager. */
export interface ControllerOptions {
  /** Unique name, the `controller` label of logs and metrics. */
  readonly name: string;
  /** The primary kind (`for`): its store is resynced and its kind names log lines. */
  readonly forResource: Resource;
  /** The primary kind's informer (also in `sources`); resync enqueues all its keys. */
  readonly forInformer: Informer<KubeObject>;
  /** Every watch (primary, owned, mapped). */
  readonly sources: readonly WatchSource[];
  readonly reconciler: Reconciler;
  readonly client: Client;
  /** Reads straight from the API server: `ctx.apiReader`. */
  readonly apiReader: Reader;
  /** Reports as this controller: `ctx.recorder` records with it, about the primary object. */
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Maximum concurrent reconciles, an integer ≥ 1 (default 1). */
  readonly concurrency?: number;
  /** Period of enqueuing every primary key, in ms; 0 disables (default 36 000 000, 10 hours). */
  readonly resyncPeriodMs?: number;
  /** How long in-flight reconciles may run after the stop signal, in ms (default 30 000). */
  readonly gracefulShutdownTimeoutMs?: number;
  /** Tunes the default rate limiter (5 ms doubling to 1000 s per key; 10 qps, burst 100 overall). */
  readonly rateLimit?: RateLimitOptions;
  /** Replaces the rate limiter; not with `rateLimit`. */
  readonly rateLimiter?: RateLimiter;
  /** Default {@link noopControllerMetrics}. */
  readonly metrics?: ControllerMetrics;
  /** The queue's `workqueue_*` sink (default none). */
  readonly workqueueMetrics?: WorkqueueMetrics;
  /** Start only while leading (default true, as controller-runtime). */
  readonly needLeaderElection?: boolean;
  /**
   * Checked synchronously before each reconcile of a leader-elected controller: `false` (this
   * process stopped leading, e.g. it was paused past its renew deadline) skips the reconcile
   * (default: always leading).
   */
  readonly leaderGate?: () => boolean;
  /**
   * The API server's health as the transport sees it (the manager passes its transport's). With it,
   * a reconcile that failed because the server was unreachable waits for the server to come back
   * and is retried at once then, with its backoff reset, instead of sitting out a backoff grown
   * during the outage (default none: such failures back off like any other).
   */
  readonly serverHealth?: ServerHealth;
}

const TEN_HOURS_MS = 10 * 60 * 60 * 1000;

/**
 * A controller: watches → predicates → rate-limited workqueue → `concurrency` workers → reconciler.
 * A manager runnable; build one with {@link controller}.
 *
 * Guarantees:
 * - reconciles start only after every watched informer has synced;
 * - never two reconciles of one key at once; events during a reconcile cause one more run;
 * - outcome: throw → `addRateLimited` (except {@link TerminalError}: `forget`); `{requeueAfter}` →
 *   `forget` + `addAfter`; `{requeue: true}` → `addRateLimited`; otherwise `forget`;
 * - on abort: no new reconciles; in-flight ones get `gracefulShutdownTimeoutMs`, then their
 *   `ctx.signal` aborts and `start` resolves; handlers are removed and timers cancelled.
 * Caveats: a reconciler that ignores `ctx.signal` may keep running after `start` resolved.
 */
export class Controller {
  /** The controller's name. */
  readonly name: string;
  /** Whether the manager starts it only while leading. */
  readonly needLeaderElection: boolean;
  readonly #o: ControllerOptions;
  readonly #queue: RateLimitingQueue;
  readonly #metrics: ControllerMetrics;
  readonly #log: Logger;
  readonly #concurrency: number;
  #started = false;
  #active = 0;
  readonly #parked = new ParkedKeys();

  /** @throws {ControllerError} `InvalidBuilder` for a bad concurrency or resync period. */
  constructor(options: ControllerOptions) {
    this.#o = options;
    this.name = options.name;
    this.needLeaderElection = options.needLeaderElection ?? true;
    this.#concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new ControllerError({ reason: 'InvalidBuilder', message: `controller ${options.name}: concurrency must be an integer ≥ 1, got ${this.#concurrency}` });
    }
    const resync = options.resyncPeriodMs ?? TEN_HOURS_MS;
    if (!(resync >= 0) || !Number.isFinite(resync)) {
      throw new ControllerError({ reason: 'InvalidBuilder', message: `controller ${options.name}: resyncPeriodMs must be a finite number ≥ 0, got ${resync}` });
    }
    this.#metrics = options.metrics ?? noopControllerMetrics;
    this.#log = options.logger.child({ controller: options.name, kind: options.forResource.kind });
    this.#queue = new RateLimitingQueue({
      clock: options.clock,
      ...(options.workqueueMetrics ? { metrics: options.workqueueMetrics } : {}),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    });
  }

  /** The informers this controller watches; the manager waits for them to sync before starting it. */
  get informers(): readonly Informer<KubeObject>[] {
    return this.#o.sources.map((s) => s.informer);
  }

  /** Number of reconciles running now. */
  get activeWorkers(): number {
    return this.#active;
  }

  /** Queues the key `namespace/name` (or `name`) as if an event had arrived. A no-op once stopping. */
  enqueue(key: string): void {
    this.#queue.add(key);
  }

  /**
   * Runs the controller until `signal` aborts: registers its handlers, waits for its informers to
   * sync, then reconciles; resolves after the graceful drain.
   * @throws {ControllerError} `CacheSyncFailed` when an informer cannot sync (the kind is not
   * served…), `InvalidBuilder` when started twice.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new ControllerError({ reason: 'InvalidBuilder', message: `controller ${this.name} was already started` });
    this.#started = true;
    const enqueue = (key: string): void => this.#queue.add(key);
    const registrations: HandlerRegistration[] = [];
    const reconcileCtl = new AbortController();
    let resyncTimer: Timer | undefined;
    try {
      for (const source of this.#o.sources) registrations.push(source.informer.addEventHandler(source.handler(enqueue)));
      const unsubscribe = this.#o.serverHealth?.onRecovered(() => this.#releaseParked());
      if (unsubscribe) registrations.push({ remove: () => void unsubscribe() });
      if (!(await this.#waitForSync(signal))) return;
      this.#log.info('Starting workers', { workerCount: this.#concurrency });
      this.#metrics.maxConcurrentReconciles(this.name, this.#concurrency);
      this.#metrics.activeWorkers(this.name, 0);
      const resync = this.#o.resyncPeriodMs ?? TEN_HOURS_MS;
      const scheduleResync = (): void => {
        resyncTimer = this.#o.clock.setTimer(resync, () => {
          for (const key of this.#o.forInformer.store.keys()) enqueue(key);
          scheduleResync();
        });
      };
      if (resync > 0) scheduleResync();
      const parts: ReconcileContextParts = {
        client: this.#o.client,
        apiReader: this.#o.apiReader,
        signal: reconcileCtl.signal,
        controller: this.name,
        logger: this.#log,
        recorder: (request) => this.#primaryRecorder(keyString(request), request),
      };
      const work = this.#queue.process((key) => this.#reconcileKey(key, parts), {
        concurrency: this.#concurrency,
        signal,
        onError: (err, key) => this.#log.error('unexpected worker failure', { key, err }),
      });
      // `work` only settles early if the workers themselves fail; then start() rejects.
      await Promise.race([waitForAbort(signal), work]);
      resyncTimer?.cancel();
      this.#queue.shutDown();
      this.#log.info('Stopping workers; waiting for in-flight reconciles', { inFlight: this.#active });
      const drained = await settleWithin(work, this.#o.clock, this.#o.gracefulShutdownTimeoutMs ?? 30_000);
      if (!drained) this.#log.error('Graceful shutdown timed out; aborting in-flight reconciles', { inFlight: this.#active });
    } finally {
      resyncTimer?.cancel();
      reconcileCtl.abort(new ControllerError({ reason: 'Stopped', message: `controller ${this.name} stopped` }));
      this.#queue.shutDown();
      for (const registration of registrations) registration.remove();
    }
  }

  /** Waits for every source informer; false when `signal` aborted first. */
  async #waitForSync(signal: AbortSignal): Promise<boolean> {
    for (const { informer } of this.#o.sources) {
      if (informer.hasSynced()) continue;
      try {
        await informer.waitForSync(signal);
      } catch (cause) {
        if (signal.aborted) return false;
        throw new ControllerError({
          reason: 'CacheSyncFailed',
          message: `controller ${this.name}: informer for ${gvkString(informer.resource)} did not sync: ${describeError(cause)}`,
          cause,
        });
      }
    }
    return !signal.aborted;
  }

  async #reconcileKey(key: string, parts: ReconcileContextParts): Promise<void> {
    if (this.needLeaderElection && this.#o.leaderGate?.() === false) return void this.#log.info('Not leading; skipping reconcile', { key });
    const request = parseKey(key);
    const ctx = new LazyReconcileContext(parts, request);
    const clock = this.#o.clock;
    const metrics = this.#metrics;
    const startedAt = clock.now();
    metrics.activeWorkers(this.name, ++this.#active);
    // with debug off, the reconcile's own logger (and its reconcile ID) is made only if the reconciler logs
    const debug = this.#log.isLevelEnabled?.('debug') !== false;
    let label: ReconcileResultLabel;
    try {
      if (debug) ctx.log.debug('Reconciling');
      const result: ReconcileResult = await this.#o.reconciler(request, ctx);
      label = this.#applyResult(key, result);
      if (debug) ctx.log.debug('Reconcile done', { result: label });
    } catch (err) {
      label = 'error';
      metrics.reconcileError(this.name);
      if (isTerminalError(err)) {
        metrics.terminalReconcileError(this.name);
        this.#queue.forget(key);
        ctx.log.error('Reconciler error (terminal; not retried)', { err });
      } else {
        this.#requeueFailed(key, err, ctx.log);
      }
    } finally {
      metrics.activeWorkers(this.name, --this.#active);
      metrics.reconcileTime(this.name, (clock.now() - startedAt) / 1000);
    }
    metrics.reconcileTotal(this.name, label);
  }

  /** `ctx.recorder`: the primary object as cached when the event is recorded, else its reference. */
  #primaryRecorder(key: string, request: Request): PrimaryEventRecorder {
    const resource = this.#o.forResource;
    return {
      event: (type, reason, action, note, options) => {
        const metadata = this.#o.forInformer.store.get(key)?.metadata ?? { name: request.name, ...(request.namespace ? { namespace: request.namespace } : {}) };
        const regarding: KubeObject = { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata };
        this.#o.recorder.event(regarding, type, reason, action, note, options);
      },
    };
  }

  /**
   * Requeues a failed key: after the server's `Retry-After` when it sent one (never sooner); on
   * the server's recovery when it was unreachable (see {@link ControllerOptions.serverHealth});
   * with exponential backoff otherwise.
   */
  #requeueFailed(key: string, err: unknown, log: Logger): void {
    const health = this.#o.serverHealth;
    const informer = this.#o.forInformer as Partial<{ watchHealth(): { watching: boolean } }>;
    const failure = classifyFailure(err, { serverHealth: health?.state, watching: informer.watchHealth?.().watching ?? true });
    if (failure.kind === 'outage' && health) {
      this.#parked.park(key);
      // During a confirmed outage the key only waits for the recovery; before that (or if it was a
      // false alarm) it also backs off as usual, so it is never stranded.
      if (!health.outage) this.#queue.addRateLimited(key);
      log.error('Reconciler error (API server unreachable; retried once it answers)', { err, outage: health.outage });
      return;
    }
    this.#parked.unpark(key);
    if (failure.kind === 'throttled') {
      this.#queue.addRateLimitedAtLeast(key, failure.retryAfterMs);
      log.error('Reconciler error (throttled by the API server)', { err, retryAfterMs: retryAfterOf(err) });
      return;
    }
    this.#queue.addRateLimited(key);
    const rule = missingRule(err);
    if (rule) log.error(describeMissingRule(rule), { rule: { group: rule.group, resource: rule.resource, verb: rule.verb, namespace: rule.namespace ?? '' }, requeues: this.#queue.numRequeues(key) });
    else log.error('Reconciler error', { err, requeues: this.#queue.numRequeues(key) });
  }

  /** The server is back: every key parked by the outage runs now, its backoff forgotten. */
  #releaseParked(): void {
    const keys = this.#parked.release();
    if (keys.length > 0) this.#log.info('API server is back; retrying reconciles that failed during the outage', { keys: keys.length });
    for (const key of keys) {
      this.#queue.forget(key);
      this.#queue.add(key);
    }
  }

  #applyResult(key: string, result: ReconcileResult): ReconcileResultLabel {
    this.#parked.unpark(key);
    const after = result?.requeueAfter;
    if (after !== undefined && after > 0) {
      this.#queue.forget(key);
      this.#queue.addAfter(key, after);
      return 'requeue_after';
    }
    if (result?.requeue === true) {
      this.#queue.addRateLimited(key);
      return 'requeue';
    }
    this.#queue.forget(key);
    return 'success';
  }
}
