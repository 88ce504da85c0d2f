import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { LeaderElector } from '../lifecycle/runnable.js';
import { realClock, sleep, type Clock, type Timer } from '../util/clock.js';
import { linkAbort } from '../lifecycle/abort.js';
import { LeaderElectionError, LeaderElectionLostError } from './errors.js';
import { validateTiming } from './validate.js';
import { LeaseLock, type LeaderElectionRecord } from './lease-lock.js';

/** Where the elector reports leadership: `leader_election_master_status{name}`. */
export interface LeaderElectionMetrics {
  /** Called with `true` when this process starts leading the lease `name`, `false` when it stops. */
  leading(name: string, isLeading: boolean): void;
}

/** Options of {@link LeaseElector}; defaults are client-go's. */
export interface LeaseElectorOptions {
  /** A client of the API server (not a cached one). */
  readonly client: Client;
  /** Name of the Lease. */
  readonly name: string;
  /** Namespace of the Lease. */
  readonly namespace: string;
  /** This candidate's identity, unique among replicas (default `<hostname>_<uuid>`). */
  readonly identity?: string;
  /** How long a lease is valid after its holder's last renew, as seen by others (default 15 000 ms). */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it stops leading (default 10 000 ms). */
  readonly renewDeadlineMs?: number;
  /** Time between acquire/renew attempts (default 2 000 ms). */
  readonly retryPeriodMs?: number;
  /** Candidates wait `retryPeriod × (1 + random × jitterFactor)` between attempts (default 1.2). */
  readonly jitterFactor?: number;
  /** On graceful stop, release the lease so a successor takes over at once (default true). */
  readonly releaseOnCancel?: boolean;
  /** Default {@link realClock}. */
  readonly clock?: Clock;
  /** Default {@link silentLogger}. */
  readonly logger?: Logger;
  /** Default: none. */
  readonly metrics?: LeaderElectionMetrics;
  /** Random source in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Called synchronously when leadership is lost (not on a graceful release). Must not throw. */
  readonly onLostLeadership?: (error: LeaderElectionLostError) => void;
}

/** Where the elector is: `candidate` → `leading` → `lost` | `released` | `stopped`. */
export type LeaderElectionState = 'candidate' | 'leading' | 'lost' | 'released' | 'stopped';

const noop = (): void => undefined;

/**
 * Leader election on a `coordination.k8s.io/v1` Lease with client-go's semantics: acquire when
 * the lease is free, released, or unchanged for a lease duration (as observed on this process's
 * clock — never by comparing clocks); renew every retry period; writes guarded by the
 * resourceVersion; `leaseTransitions` counts holder changes; times are MicroTime strings.
 *
 * Guarantees:
 * - leading stops on the client side at `lastRenew + renewDeadline` (a timer, and a synchronous
 *   check in {@link LeaseElector.isLeading} for a process resumed after a pause), which is before a
 *   successor can acquire (`leaseDuration > renewDeadline` from its later observation);
 * - the `leading` signal aborts synchronously when leadership is lost, with a
 *   {@link LeaderElectionLostError};
 * - on graceful stop (`signal` aborts) it keeps renewing until the promise returned by
 *   `onStartedLeading` settles (the leader's work has drained), then releases the lease
 *   (holder `""`, leaseDurationSeconds 1) when `releaseOnCancel`;
 * - a candidate waiting on a held lease retries at the observed expiry at the latest, so takeover
 *   happens within about `leaseDuration + retryPeriod × (1 + jitterFactor)` of the last renew.
 * Caveats: one `run` per elector; a lost elector does not rejoin (restart the process, as
 * controller-runtime does). Clock rates must roughly agree between replicas (not clock values).
 */
export class LeaseElector implements LeaderElector {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly jitterFactor: number;
  readonly #o: LeaseElectorOptions;
  readonly #lock: LeaseLock;
  readonly #clock: Clock;
  readonly #log: Logger;
  #state: LeaderElectionState = 'candidate';
  #observed: LeaderElectionRecord | undefined;
  #observedRaw: string | undefined;
  #observedTime = 0;
  #renewedAt = 0;
  #leadingCtl = new AbortController();
  #deadline: Timer | undefined;
  #ran = false;

  /** @throws {LeaderElectionError} `InvalidConfig` (see {@link LeaderElectionErrorReason}). */
  constructor(options: LeaseElectorOptions) {
    this.#o = options;
    this.name = options.name;
    this.namespace = options.namespace;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.jitterFactor = options.jitterFactor ?? 1.2;
    validateTiming(this);
    this.#clock = options.clock ?? realClock;
    this.#lock = new LeaseLock({ client: options.client, namespace: this.namespace, name: this.name });
    this.#log = (options.logger ?? silentLogger).child({ component: 'leader-election', lease: this.#lock.describe(), identity: this.identity });
  }

  get state(): LeaderElectionState {
    return this.#state;
  }

  /** The last record this elector read or wrote (undefined before the first attempt). */
  get observedRecord(): LeaderElectionRecord | undefined {
    return this.#observed;
  }

  /** Epoch ms (injected clock) of the start of the last successful acquire/renew; 0 before. */
  get lastRenewAt(): number {
    return this.#renewedAt;
  }

  /**
   * Whether this process leads now. Checks the clock: past `lastRenew + renewDeadline` it stops
   * leading on the spot (aborts the leading signal) and returns false — call it before acting as
   * the leader (the controller does before each reconcile, the fenced client before each write).
   */
  isLeading(): boolean {
    if (this.#state !== 'leading') return false;
    const now = this.#clock.now();
    if (now < this.#renewedAt + this.renewDeadlineMs) return true;
    this.#lose(`could not renew lease ${this.#lock.describe()} within the renew deadline (${this.renewDeadlineMs} ms; last renewed ${now - this.#renewedAt} ms ago)`);
    return false;
  }

  /** False once this process has led and lost (checked against the clock now); true otherwise. */
  mayWrite(): boolean {
    this.isLeading();
    return this.#state !== 'lost';
  }

  /**
   * Campaigns until `signal` aborts; while leading, calls `onStartedLeading` once. Resolves after
   * leadership ended (lost, released or stopped) or `signal` aborted before acquiring.
   * @throws {LeaderElectionError} `AlreadyRunning` on a second call.
   */
  async run(signal: AbortSignal, onStartedLeading: (leading: AbortSignal) => void | Promise<void>): Promise<void> {
    if (this.#ran) throw new LeaderElectionError({ reason: 'AlreadyRunning', message: `leader elector for ${this.#lock.describe()} is already running` });
    this.#ran = true;
    try {
      if (!(await this.#acquire(signal))) return;
      this.#state = 'leading';
      this.#armDeadline();
      this.#o.metrics?.leading(this.name, true);
      this.#log.info('Started leading');
      let work: Promise<void> = Promise.resolve();
      try {
        work = Promise.resolve(onStartedLeading(this.#leadingCtl.signal)).then(noop, noop);
      } catch (err) {
        this.#log.error('onStartedLeading threw', { err });
      }
      await this.#renewLoop(signal, work);
      if (this.isLeading()) await this.#stopLeading();
    } finally {
      this.#deadline?.cancel();
      if (this.#state === 'candidate') this.#state = 'stopped';
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info('Attempting to acquire leader lease');
    let reportedHolder: string | undefined;
    while (!signal.aborted) {
      const attemptAt = this.#clock.now();
      if (await this.#tryAcquireOrRenew(attemptAt, signal)) {
        this.#renewedAt = attemptAt;
        this.#log.info('Successfully acquired lease', { leaseTransitions: this.#observed?.leaseTransitions ?? 0 });
        return true;
      }
      const holder = this.#observed?.holderIdentity;
      if (holder !== undefined && holder !== reportedHolder) {
        reportedHolder = holder;
        this.#log.info('Lease is held by another candidate', { holder });
      }
      try {
        await sleep(this.#clock, this.#acquireDelay(), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** A jittered retry period, cut short to the observed expiry of the current holder's lease. */
  #acquireDelay(): number {
    const random = this.#o.random ?? Math.random;
    const jittered = this.retryPeriodMs * (1 + random() * this.jitterFactor);
    const observed = this.#observed;
    if (observed === undefined || observed.holderIdentity === '') return jittered;
    const expiresIn = this.#observedTime + observed.leaseDurationSeconds * 1000 - this.#clock.now();
    return Math.max(0, Math.min(jittered, expiresIn));
  }

  async #renewLoop(signal: AbortSignal, work: Promise<void>): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => void work.then(() => stop.abort());
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      while (this.#state === 'leading') {
        const link = linkAbort([stop.signal, this.#leadingCtl.signal]);
        try {
          await sleep(this.#clock, this.retryPeriodMs, link.signal);
        } catch {
          break;
        } finally {
          link.dispose();
        }
        if (!this.isLeading()) break;
        const attemptAt = this.#clock.now();
        const ok = await this.#tryAcquireOrRenew(attemptAt, this.#leadingCtl.signal);
        if (this.#state !== 'leading') break;
        if (ok) {
          this.#renewedAt = attemptAt;
          this.#armDeadline();
          this.isLeading();
        } else if (this.#observed !== undefined && this.#observed.holderIdentity !== this.identity) {
          this.#lose(`lease ${this.#lock.describe()} is now held by "${this.#observed.holderIdentity}"`);
        } else {
          this.#log.warn('Failed to renew lease; retrying until the renew deadline');
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** client-go's `tryAcquireOrRenew`: true when this candidate holds the lease afterwards. */
  async #tryAcquireOrRenew(now: number, signal: AbortSignal): Promise<boolean> {
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    const observed = this.#observed;
    if (observed !== undefined && this.#isHolder() && this.#leaseValid(now)) {
      // Fast path: the leader updates optimistically from the record it last wrote.
      const record = { ...desired, acquireTime: observed.acquireTime, leaseTransitions: observed.leaseTransitions };
      try {
        await this.#lock.update(record, signal);
        this.#observe(record);
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        this.#log.debug('Optimistic lease update failed; re-reading the lease', { err });
      }
    }
    let current: LeaderElectionRecord;
    try {
      const read = await this.#lock.get(signal);
      current = read.record;
      if (read.raw !== this.#observedRaw) {
        this.#observedRaw = read.raw;
        this.#observe(current);
      }
    } catch (err) {
      if (!isNotFound(err) || signal.aborted) {
        if (!signal.aborted) this.#log.warn('Error retrieving the lease', { err });
        return false;
      }
      return this.#write(desired, signal, 'create');
    }
    if (current.holderIdentity !== '' && this.#leaseValid(now) && !this.#isHolder()) return false;
    const record = this.#isHolder()
      ? { ...desired, acquireTime: current.acquireTime, leaseTransitions: current.leaseTransitions }
      : { ...desired, leaseTransitions: current.leaseTransitions + 1 };
    return this.#write(record, signal, 'update');
  }

  async #write(record: LeaderElectionRecord, signal: AbortSignal, how: 'create' | 'update'): Promise<boolean> {
    try {
      if (how === 'create') await this.#lock.create(record, signal);
      else await this.#lock.update(record, signal);
    } catch (err) {
      if (!signal.aborted) this.#log.debug(`Lease ${how} failed`, { err });
      return false;
    }
    this.#observe(record);
    return true;
  }

  #observe(record: LeaderElectionRecord): void {
    this.#observed = record;
    this.#observedTime = this.#clock.now();
  }

  #isHolder(): boolean {
    return this.#observed?.holderIdentity === this.identity;
  }

  #leaseValid(now: number): boolean {
    return this.#observedTime + (this.#observed?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  #armDeadline(): void {
    this.#deadline?.cancel();
    const due = this.#renewedAt + this.renewDeadlineMs - this.#clock.now();
    this.#deadline = this.#clock.setTimer(due, () => void this.isLeading());
  }

  #lose(message: string): void {
    if (this.#state !== 'leading') return;
    this.#state = 'lost';
    this.#deadline?.cancel();
    const error = new LeaderElectionLostError({ message: `leader election lost: ${message}`, lastRenewAt: this.#renewedAt, detectedAt: this.#clock.now() });
    this.#log.error('Leader election lost', { err: error });
    this.#o.metrics?.leading(this.name, false);
    this.#leadingCtl.abort(error);
    try {
      this.#o.onLostLeadership?.(error);
    } catch (err) {
      this.#log.error('onLostLeadership threw', { err });
    }
  }

  /** Graceful end of leadership: release the lease (client-go's ReleaseOnCancel) or just stop. */
  async #stopLeading(): Promise<void> {
    const releasing = this.#o.releaseOnCancel ?? true;
    this.#state = releasing ? 'released' : 'stopped';
    this.#deadline?.cancel();
    this.#o.metrics?.leading(this.name, false);
    this.#leadingCtl.abort(new LeaderElectionError({ reason: 'NotLeader', message: 'leadership ended: the manager is stopping' }));
    if (!releasing) return;
    const now = this.#clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.#observed?.leaseTransitions ?? 0,
    };
    const timeout = new AbortController();
    const timer = this.#clock.setTimer(this.#renewedAt + this.renewDeadlineMs - now, () => timeout.abort());
    try {
      if (await this.#write(record, timeout.signal, 'update')) this.#log.info('Released the lease');
      else this.#log.warn('Failed to release the lease; a successor takes over when it expires');
    } finally {
      timer.cancel();
    }
  }
}
