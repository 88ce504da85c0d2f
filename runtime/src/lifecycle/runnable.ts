/**
 * Something the manager runs: a controller, a webhook server, a metrics server, your own loop.
 *
 * Guarantees (of the manager): `start` is called once, after the caches have synced; `signal`
 * aborts when the manager stops (or, for leader-elected runnables, when leadership is lost).
 * Caveats: `start` should resolve soon after `signal` aborts; the manager waits at most its
 * `gracefulShutdownTimeoutMs`. A rejection stops the whole manager.
 */
export interface Runnable {
  start(signal: AbortSignal): Promise<void>;
  /** Start only while this process is the leader (default false for plain runnables; controllers default to true). */
  readonly needLeaderElection?: boolean;
}

/**
 * The leader-election seam. The manager calls {@link LeaderElector.run} once; the elector calls
 * `onStartedLeading` with a signal that aborts when leadership is lost.
 *
 * Guarantees expected of an implementation: `onStartedLeading` is called at most once per run;
 * the signal it passes aborts the moment leadership is lost (or cannot be renewed in time); when
 * `onStartedLeading` returns a promise (the manager's leader-elected runnables, settling once they
 * have stopped), the lease is kept until it settles, so no successor runs while they drain; `run`
 * resolves after `signal` aborts and the lease is released.
 * Caveats: the Lease-based elector (coordination.k8s.io/v1) is `LeaseElector` (runtime/src/leader);
 * the default is {@link alwaysLeader}.
 */
export interface LeaderElector {
  run(signal: AbortSignal, onStartedLeading: (leading: AbortSignal) => void | Promise<void>): Promise<void>;
}

/**
 * An elector that leads at once and until stopped: for single-replica operators and tests.
 * Guarantees: calls `onStartedLeading` synchronously with `signal` itself.
 */
export const alwaysLeader: LeaderElector = Object.freeze({
  run(signal: AbortSignal, onStartedLeading: (leading: AbortSignal) => void | Promise<void>): Promise<void> {
    void onStartedLeading(signal);
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  },
});
