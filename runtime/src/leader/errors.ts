import { OpkitError } from '../errors/opkit-error.js';
import { ManagerError } from '../errors/manager-error.js';

/**
 * Why leader election could not run:
 * - `InvalidConfig`: the durations break client-go's rules (leaseDuration > renewDeadline >
 *   jitterFactor × retryPeriod, all > 0) or the name/namespace/identity is empty;
 * - `AlreadyRunning`: `run()` called twice on one elector;
 * - `NotLeader`: a write through a fenced client after this process lost leadership.
 */
export type LeaderElectionErrorReason = 'InvalidConfig' | 'AlreadyRunning' | 'NotLeader';

/** An error of the leader elector (not retryable). */
export class LeaderElectionError extends OpkitError {
  declare readonly reason: LeaderElectionErrorReason;

  constructor(options: { reason: LeaderElectionErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}

/**
 * Leadership was lost while leading: the lease could not be renewed before the renew deadline,
 * or another holder took it. A {@link ManagerError} with reason `LeaderElectionLost`, so
 * `mgr.start()` rejects with it and the process should exit non-zero and be restarted.
 *
 * Guarantees: `lastRenewAt` and `detectedAt` are epoch ms of the injected clock; `detectedAt` is
 * when this process noticed (after a stop/resume it can be long after the deadline).
 */
export class LeaderElectionLostError extends ManagerError {
  /** Epoch ms of the start of the last successful renew (0 when unknown). */
  readonly lastRenewAt: number;
  /** Epoch ms at which the loss was noticed (0 when unknown). */
  readonly detectedAt: number;

  constructor(options: { message: string; cause?: unknown; lastRenewAt?: number; detectedAt?: number }) {
    super({ reason: 'LeaderElectionLost', message: options.message, cause: options.cause });
    this.lastRenewAt = options.lastRenewAt ?? 0;
    this.detectedAt = options.detectedAt ?? 0;
  }
}
