import { describeError } from '../errors/opkit-error.js';
import type { Logger } from '../log/logger.js';
import { linkAbort, settleWithin, waitForAbort } from '../lifecycle/abort.js';
import type { Clock } from '../util/clock.js';
import { LeaderElectionLostError } from '../leader/errors.js';
import { ManagerError } from '../errors/manager-error.js';
import type { LeaderElector, Runnable } from '../lifecycle/runnable.js';

/** Options of {@link runAll}. */
export interface RunAllOptions {
  readonly runnables: readonly Runnable[];
  /** Stop everything when this aborts. */
  readonly signal: AbortSignal;
  readonly elector: LeaderElector;
  readonly clock: Clock;
  readonly gracefulShutdownTimeoutMs: number;
  readonly log: Logger;
  /** Settles (with the error, or undefined) when the cache stops; an early stop is a failure. */
  readonly cacheFailure: Promise<unknown>;
}

/**
 * Starts plain runnables at once and leader-elected ones while leading; on abort, a runnable
 * failure, a cache failure or lost leadership, stops them all and waits (bounded) for them.
 * @throws {ManagerError} `RunnableFailed`, `LeaderElectionLost` or `CacheSyncFailed` — after the
 * bounded wait.
 * @internal the manager's run loop.
 */
export async function runAll(o: RunAllOptions): Promise<void> {
  const stopCtl = linkAbort([o.signal]);
  let failure: ManagerError | undefined;
  const fail = (err: ManagerError): void => {
    if (failure === undefined && !stopCtl.signal.aborted) {
      failure = err;
      o.log.error('Stopping the manager', { err });
    }
    stopCtl.abort(err);
  };
  const running: Promise<void>[] = [];
  const launch = (runnable: Runnable, signal: AbortSignal): Promise<void> => {
    const run = Promise.resolve()
      .then(() => runnable.start(signal))
      .then(
        () => undefined,
        (cause: unknown) => fail(new ManagerError({ reason: 'RunnableFailed', message: `a runnable failed: ${describeError(cause)}`, cause })),
      );
    running.push(run);
    return run;
  };

  try {
    for (const r of o.runnables) if (r.needLeaderElection !== true) launch(r, stopCtl.signal);
    const elected = o.runnables.filter((r) => r.needLeaderElection === true);
    if (elected.length > 0) {
      const electorRun = Promise.resolve()
        .then(() =>
          o.elector.run(stopCtl.signal, (leading) => {
            if (stopCtl.signal.aborted) return undefined;
            o.log.info('Leading; starting leader-elected runnables', { count: elected.length });
            const lost = (): void => {
              const cause: unknown = leading.reason;
              fail(cause instanceof LeaderElectionLostError ? cause : new LeaderElectionLostError({ message: 'leader election lost; stopping (restart the process to rejoin the election)', cause }));
            };
            if (leading !== stopCtl.signal) {
              if (leading.aborted) return lost();
              leading.addEventListener('abort', lost, { once: true });
            }
            const signal = leading === stopCtl.signal ? leading : linkAbort([stopCtl.signal, leading]).signal;
            return Promise.all(elected.map((r) => launch(r, signal))).then(() => undefined);
          }),
        )
        .catch((cause: unknown) => fail(new ManagerError({ reason: 'RunnableFailed', message: `leader election failed: ${describeError(cause)}`, cause })));
      running.push(electorRun);
    }
    void o.cacheFailure.then((err) => {
      fail(new ManagerError({ reason: 'CacheSyncFailed', message: `the cache stopped unexpectedly: ${describeError(err)}`, cause: err }));
    });
    await waitForAbort(stopCtl.signal);
    o.log.info('Stopping runnables', { gracefulShutdownTimeoutMs: o.gracefulShutdownTimeoutMs });
    const allStopped = settleWithin(Promise.all(running), o.clock, o.gracefulShutdownTimeoutMs);
    if (!(await allStopped)) o.log.error('Graceful shutdown timed out; some runnables are still running');
  } finally {
    stopCtl.dispose();
  }
  if (failure !== undefined) throw failure;
}
