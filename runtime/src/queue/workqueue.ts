import { realClock, type Clock } from '../util/clock.js';
import { noopWorkqueueMetrics, type UnfinishedWork, type WorkqueueMetrics } from './metrics.js';
import { runWorkers, type ProcessFn, type ProcessOptions } from './process.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of {@link Workqueue}. */
export interface WorkqueueOptions {
  /** Source of time for metrics durations and drain timeouts (default {@link realClock}). */
  readonly clock?: Clock;
  /** Where to report `workqueue_*` metrics (default {@link noopWorkqueueMetrics}: nothing, no clock reads). */
  readonly metrics?: WorkqueueMetrics;
}

/** Options of {@link Workqueue.shutDownWithDrain}. */
export interface DrainOptions {
  /** Stop waiting when this aborts. */
  readonly signal?: AbortSignal;
  /** Stop waiting after this many ms of clock time (default: no limit). */
  readonly timeoutMs?: number;
}

/** Key state bits: dirty (needs a run), processing (held by a worker); both = runs again after done. */
const DIRTY = 1;
const PROCESSING = 2;

/** A dirty or processing key's state: one object per key, so each operation is one Map lookup at most. */
interface Entry {
  readonly key: string;
  /** {@link DIRTY} and/or {@link PROCESSING}. */
  state: number;
  /** Only with a metrics sink: when the key last became dirty (clock ms). */
  dirtyAt: number;
  /** Only with a metrics sink: when a worker last took the key (clock ms). */
  startedAt: number;
}

interface Getter {
  readonly resolve: (key: string | undefined) => void;
  readonly signal: AbortSignal | undefined;
  settled: boolean;
}

/**
 * The client-go workqueue: a FIFO of string keys (callers use `namespace/name`) that
 * de-duplicates and serialises work per key.
 *
 * Guarantees:
 * - a queued key is dirty, not processing, and queued once; `add` of a dirty key is a no-op;
 * - a key handed out by {@link get} is processing until {@link done}; an `add` meanwhile marks it
 *   dirty and it is queued again, once, by `done` — so no two workers ever hold the same key, and
 *   any number of adds during a run cause exactly one more run;
 * - keys are handed out in the order they were first queued; waiting getters are served in order;
 * - `add`, `get` and `done` are O(1) amortised.
 *
 * Caveats: user code should not call `get`/`done` itself — use {@link process}, which calls
 * `done` in a `finally`. A key that is never `done` is never handed out again.
 */
export class Workqueue {
  readonly #clock: Clock;
  readonly #metrics: WorkqueueMetrics;
  /** Queued entries, in order; each is dirty and not processing. */
  readonly #queue = new RingBuffer<Entry>();
  /** Every dirty or processing key → its entry; idle keys are absent. */
  readonly #keys = new Map<string, Entry>();
  #processingCount = 0;
  /** Whether there is a metrics sink: without one the clock is never read per operation. */
  readonly #timed: boolean;
  readonly #getters = new RingBuffer<Getter>();
  /**
   * Signals this queue listens to: one `abort` listener per signal for the queue's life, not one
   * per waiting `get` (workers pass the same signal on every call). Weak: a dropped signal is
   * collected with its listener.
   */
  readonly #watchedSignals = new WeakSet<AbortSignal>();
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkqueueOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#metrics = options.metrics ?? noopWorkqueueMetrics;
    this.#timed = options.metrics !== undefined;
    this.#metrics.unfinishedWork(() => this.#unfinishedWork());
  }

  /** Number of keys queued and ready to hand out (excludes keys processing or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  /** Whether {@link shutDown} (or {@link shutDownWithDrain}) was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Marks `key` as needing work. If it is neither dirty nor processing it is queued; if it is
   * processing it will be queued again when the worker calls `done`.
   *
   * Guarantees: a no-op when the key is already dirty or the queue is shutting down.
   */
  add(key: string): void {
    if (this.#shuttingDown) return;
    const entry = this.#keys.get(key);
    if (entry === undefined) {
      const created: Entry = { key, state: DIRTY, dirtyAt: this.#timed ? this.#clock.now() : 0, startedAt: 0 };
      this.#keys.set(key, created);
      this.#metrics.add();
      this.#enqueue(created);
      return;
    }
    if ((entry.state & DIRTY) !== 0) return;
    // processing: queued again by done()
    entry.state = PROCESSING | DIRTY;
    this.#metrics.add();
    if (this.#timed) entry.dirtyAt = this.#clock.now();
  }

  /**
   * Hands out the next queued key without waiting, or `undefined` when none is queued. The key is
   * processing until {@link done}.
   */
  tryGet(): string | undefined {
    const entry = this.#queue.shift();
    if (entry === undefined) return undefined;
    this.#metrics.depth(this.#queue.length);
    this.#startProcessing(entry);
    return entry.key;
  }

  /**
   * Hands out the next key, waiting for one if none is queued. The key is processing until
   * {@link done}.
   *
   * Guarantees: resolves `undefined` — "stop working" — when `signal` aborts, or when the queue is
   * shutting down and no key is queued. A getter that resolved `undefined` holds no key.
   * Caveats: keys queued before {@link shutDown} are still handed out; to stop taking work at once,
   * abort `signal`.
   */
  get(signal?: AbortSignal): Promise<string | undefined> {
    if (signal?.aborted === true) return Promise.resolve(undefined);
    const key = this.tryGet();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    if (signal !== undefined && !this.#watchedSignals.has(signal)) {
      this.#watchedSignals.add(signal);
      signal.addEventListener('abort', () => this.#abortGetters(signal), { once: true });
    }
    return new Promise((resolve) => this.#getters.push({ resolve, signal, settled: false }));
  }

  /**
   * Marks the work on `key` finished. If the key was added while processing, it is queued again.
   *
   * Guarantees: a no-op for a key that is not processing (so a double `done` cannot queue a key
   * twice).
   */
  done(key: string): void {
    const entry = this.#keys.get(key);
    if (entry === undefined || (entry.state & PROCESSING) === 0) return;
    this.#processingCount--;
    if (this.#timed) this.#metrics.workDuration(this.#clock.now() - entry.startedAt);
    if ((entry.state & DIRTY) === 0) {
      this.#keys.delete(key);
    } else {
      entry.state = DIRTY;
      this.#enqueue(entry);
    }
    if (this.#processingCount === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Stops accepting keys: later adds are no-ops and waiting getters resolve `undefined` once the
   * queue is empty. Idempotent.
   *
   * Caveats: keys already queued are still handed out by `get`, and keys added while processing
   * are still queued again by `done`.
   */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    // Getters only wait while the queue is empty, so all of them are told to stop.
    for (let getter = this.#getters.shift(); getter !== undefined; getter = this.#getters.shift()) {
      this.#settle(getter, undefined);
    }
  }

  /**
   * {@link shutDown}, then waits until no key is processing (in-flight work has called `done`).
   *
   * @returns `true` once drained; `false` if `signal` aborted or `timeoutMs` elapsed first.
   * Guarantees: resolves at once when nothing is processing; never rejects.
   */
  shutDownWithDrain(options: DrainOptions = {}): Promise<boolean> {
    this.shutDown();
    if (this.#processingCount === 0) return Promise.resolve(true);
    const { signal, timeoutMs } = options;
    if (signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (drained: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        timer?.cancel();
        const index = this.#drainWaiters.indexOf(onDrained);
        if (index >= 0) this.#drainWaiters.splice(index, 1);
        resolve(drained);
      };
      const onDrained = (): void => finish(true);
      const onAbort = (): void => finish(false);
      const timer = timeoutMs === undefined ? undefined : this.#clock.setTimer(timeoutMs, onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#drainWaiters.push(onDrained);
    });
  }

  /**
   * Runs `concurrency` workers, each looping `get` → `await fn(key)` → `done(key)` (in `finally`).
   * See {@link ProcessOptions} for concurrency, cancellation and error handling.
   *
   * @returns resolves once every worker has stopped: the queue is shut down and empty, or `signal`
   * aborted; in both cases only after each worker's current `fn` has settled.
   * Guarantees: never two workers on one key; each worker yields to the event loop at least every
   * 64 keys, so a synchronous `fn` cannot starve timers and I/O.
   * @throws {WorkqueueError} `InvalidOptions` (synchronously) for a bad `concurrency`;
   * rejects with `ProcessorFailed` if `fn` throws and no `onError` was given.
   */
  process(fn: ProcessFn, options: ProcessOptions = {}): Promise<void> {
    return runWorkers(this, fn, options);
  }

  #enqueue(entry: Entry): void {
    for (let getter = this.#getters.shift(); getter !== undefined; getter = this.#getters.shift()) {
      if (getter.settled) continue;
      this.#startProcessing(entry);
      this.#settle(getter, entry.key);
      return;
    }
    this.#queue.push(entry);
    this.#metrics.depth(this.#queue.length);
  }

  #startProcessing(entry: Entry): void {
    entry.state = PROCESSING;
    this.#processingCount++;
    if (this.#timed) {
      const now = this.#clock.now();
      this.#metrics.latency(now - entry.dirtyAt);
      entry.startedAt = now;
    }
  }

  #settle(getter: Getter, key: string | undefined): void {
    if (getter.settled) return;
    getter.settled = true;
    getter.resolve(key);
  }

  /** `signal` aborted: its waiting getters resolve `undefined` (the others keep their place). */
  #abortGetters(signal: AbortSignal): void {
    const waiting: Getter[] = [];
    for (let getter = this.#getters.shift(); getter !== undefined; getter = this.#getters.shift()) waiting.push(getter);
    for (const getter of waiting) {
      if (getter.signal === signal) this.#settle(getter, undefined);
      else if (!getter.settled) this.#getters.push(getter);
    }
  }

  #unfinishedWork(): UnfinishedWork {
    const now = this.#clock.now();
    let totalMs = 0;
    let longestMs = 0;
    if (!this.#timed) return { totalMs, longestMs };
    for (const entry of this.#keys.values()) {
      if ((entry.state & PROCESSING) === 0) continue;
      const ms = now - entry.startedAt;
      totalMs += ms;
      if (ms > longestMs) longestMs = ms;
    }
    return { totalMs, longestMs };
  }
}
