import { hostname } from 'node:os';
import { Event } from '../api/builtins.js';
import type { KubeObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Runnable } from '../lifecycle/runnable.js';
import { realClock, sleep, type Clock } from '../util/clock.js';
import { formatMicroTime } from '../util/time-format.js';

/** The type of an event. */
export type EventType = 'Normal' | 'Warning';

/** An `ObjectReference` as events.k8s.io/v1 stores it. */
export interface EventReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** Records events about objects for one reporting controller. */
export interface EventRecorder {
  /**
   * Records an event about `regarding` (an object as read from the API: it must carry `apiVersion`
   * and `kind`). Never throws and never blocks: the write happens in the background.
   * @param action - what was done or failed, e.g. `Reconcile`, `CreateConfigMap` (≤ 128 chars).
   * @param note - human-readable details (truncated to 1 kB).
   */
  event(regarding: KubeObject, type: EventType, reason: string, action: string, note?: string, options?: { readonly related?: KubeObject }): void;
}

/** Options of {@link EventBroadcaster}. */
export interface EventBroadcasterOptions {
  /** A client of the API server (events are written with it). */
  readonly client: Client;
  /** Default {@link realClock}. */
  readonly clock?: Clock;
  /** Default {@link silentLogger}. */
  readonly logger?: Logger;
  /** `reportingInstance` suffix: events report `<controller>-<instance>` (default the host name). */
  readonly instance?: string;
  /** A series not observed for this long is finished: written a last time and forgotten (default 6 min, client-go's). */
  readonly seriesFinishMs?: number;
  /** Every this often, ongoing series are written (count and lastObservedTime) (default 30 min, client-go's). */
  readonly seriesRefreshMs?: number;
  /** At most this many distinct events are remembered for aggregation; the oldest is forgotten (default 4096). */
  readonly maxCachedEvents?: number;
}

interface Cached {
  event: Event;
  /** Changed since last written. */
  dirty: boolean;
  /** Serializes this event's writes. */
  writing: Promise<void>;
}

const truncate = (s: string, max: number): string => (s.length > max ? s.slice(0, max) : s);

function referenceOf(obj: KubeObject): EventReference | undefined {
  const { apiVersion, kind } = obj;
  const name = obj.metadata?.name;
  if (!apiVersion || !kind || !name) return undefined;
  const m = obj.metadata;
  return { apiVersion, kind, name, ...(m?.namespace ? { namespace: m.namespace } : {}), ...(m?.uid ? { uid: m.uid } : {}), ...(m?.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) };
}

/**
 * client-go's events broadcaster (events.k8s.io/v1) for one manager: hands out
 * {@link EventRecorder}s and writes their events, aggregating repeats.
 *
 * Guarantees:
 * - events are isomorphic when they share the regarding object (apiVersion, kind, namespace,
 *   name, uid), related object, reporting controller, type, reason, action and note; the first
 *   creates an Event; the second turns it into a series (`series: {count: 2, lastObservedTime}`,
 *   written at once); later ones only bump the cached count and time, written every
 *   `seriesRefreshMs`, when the series finishes (`seriesFinishMs` without a repeat), on
 *   {@link EventBroadcaster.flush} and when the broadcaster stops — client-go's semantics, which
 *   bound the API writes of a hot loop to one per refresh period;
 * - writes of one event are serialized (create before patch); a series whose Event was deleted
 *   (TTL) is re-created; write failures are logged, never thrown;
 * - a Runnable (`needLeaderElection: false`): `start(signal)` runs the refresh/finish loops and,
 *   on abort, writes pending counts and waits for in-flight writes.
 * Caveats: no spam filter (client-go's legacy `record` package has one; `events` has none);
 * objects without `apiVersion`/`kind`/name are dropped with a log line. Events about cluster-scoped
 * objects go to the `default` namespace.
 */
export class EventBroadcaster implements Runnable {
  readonly needLeaderElection = false;
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #instance: string;
  readonly #finishMs: number;
  readonly #refreshMs: number;
  readonly #max: number;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Set<Promise<void>>();
  #seq = 0;

  constructor(options: EventBroadcasterOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.logger ?? silentLogger).child({ component: 'events' });
    this.#instance = options.instance ?? hostname();
    this.#finishMs = options.seriesFinishMs ?? 6 * 60_000;
    this.#refreshMs = options.seriesRefreshMs ?? 30 * 60_000;
    this.#max = options.maxCachedEvents ?? 4096;
  }

  /** A recorder whose events report `reportingController: controller` (controller-runtime's `GetEventRecorderFor`). */
  recorder(controller: string): EventRecorder {
    const reportingController = truncate(controller, 128);
    const reportingInstance = truncate(`${controller}-${this.#instance}`, 128);
    return {
      event: (regarding, type, reason, action, note = '', options = {}) => {
        try {
          this.#record({ regarding, type, reason, action, note, reportingController, reportingInstance, related: options.related });
        } catch (err) {
          this.#log.error('Failed to record an event', { err });
        }
      },
    };
  }

  /** Writes pending series counts and waits until every write so far has finished. */
  async flush(): Promise<void> {
    for (const cached of this.#cache.values()) if (cached.dirty) this.#write(cached);
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Runs the series refresh and finish loops until `signal` aborts, then {@link flush}es. */
  async start(signal: AbortSignal): Promise<void> {
    const loop = async (periodMs: number, tick: () => void): Promise<void> => {
      for (;;) {
        try {
          await sleep(this.#clock, periodMs, signal);
        } catch {
          return;
        }
        tick();
      }
    };
    await Promise.all([loop(this.#refreshMs, () => this.#refresh()), loop(this.#finishMs, () => this.#finish())]);
    await this.flush();
  }

  #record(e: {
    regarding: KubeObject;
    type: EventType;
    reason: string;
    action: string;
    note: string;
    reportingController: string;
    reportingInstance: string;
    related: KubeObject | undefined;
  }): void {
    const regarding = referenceOf(e.regarding);
    const related = e.related ? referenceOf(e.related) : undefined;
    if (!regarding) {
      this.#log.warn('Dropping an event about an object without apiVersion, kind or name', { reason: e.reason, action: e.action });
      return;
    }
    const note = truncate(e.note, 1024);
    const { resourceVersion: _rv, ...identity } = regarding;
    const key = JSON.stringify([identity, related ? [related.apiVersion, related.kind, related.namespace, related.name, related.uid] : null, e.reportingController, e.type, e.reason, e.action, note]);
    const now = this.#clock.now();
    const cached = this.#cache.get(key);
    if (cached) {
      const series = cached.event.series;
      cached.event.series = { count: (series?.count ?? 1) + 1, lastObservedTime: formatMicroTime(now) as never };
      cached.dirty = true;
      if (!series) this.#write(cached);
      return;
    }
    const nanos = BigInt(Math.floor(now)) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    const event: Event = {
      metadata: { name: `${regarding.name}.${nanos.toString(16)}`, namespace: regarding.namespace ?? 'default' },
      eventTime: formatMicroTime(now) as never,
      reportingController: e.reportingController,
      reportingInstance: e.reportingInstance,
      action: truncate(e.action, 128),
      reason: truncate(e.reason, 128),
      regarding,
      ...(related ? { related } : {}),
      note,
      type: e.type,
    };
    const entry: Cached = { event, dirty: true, writing: Promise.resolve() };
    this.#cache.set(key, entry);
    if (this.#cache.size > this.#max) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#write(entry);
  }

  /** Queues a write of the entry's current state (create, or patch the series). */
  #write(entry: Cached): void {
    entry.dirty = false;
    const run = entry.writing.then(() => this.#send(entry.event));
    entry.writing = run;
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async #send(event: Event): Promise<void> {
    const key = { namespace: event.metadata?.namespace, name: event.metadata?.name ?? '' };
    try {
      if (event.series && event.metadata?.resourceVersion) {
        try {
          await this.#client.patch(Event, key, { series: structuredClone(event.series) }, { type: 'merge' });
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      const { resourceVersion: _rv, ...metadata } = event.metadata ?? {};
      const created = await this.#client.create(Event, { ...structuredClone(event), metadata });
      if (event.metadata && created.metadata?.resourceVersion) event.metadata.resourceVersion = created.metadata.resourceVersion;
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.#log.error('Failed to write an event', { err, event: key.name, reason: event.reason });
    }
  }

  /** client-go's refreshExistingEventSeries: re-write every ongoing series. */
  #refresh(): void {
    for (const cached of this.#cache.values()) if (cached.event.series) this.#write(cached);
  }

  /** client-go's finishSeries: write and forget series not seen for `seriesFinishMs`; forget old singletons. */
  #finish(): void {
    const cutoff = this.#clock.now() - this.#finishMs;
    for (const [key, cached] of this.#cache) {
      const series = cached.event.series;
      const last = Date.parse(String(series ? series.lastObservedTime : cached.event.eventTime));
      if (!(last < cutoff)) continue;
      if (series && cached.dirty) this.#write(cached);
      this.#cache.delete(key);
    }
  }
}
