import { OpkitError } from './opkit-error.js';

/**
 * Why a manager failed:
 * - `AlreadyStarted`: `start()` called twice, or `add()` after `start()`;
 * - `DuplicateController`: two controllers with one name;
 * - `CacheSyncFailed`: an informer could not sync (the kind is not served, RBAC forbids the list,
 *   or `cacheSyncTimeoutMs` passed); the message names the group/version/kind;
 * - `RunnableFailed`: a runnable's `start` rejected; `cause` is what it rejected with;
 * - `LeaderElectionLost`: leadership was lost while running (the process should exit and restart).
 */
export type ManagerErrorReason = 'AlreadyStarted' | 'DuplicateController' | 'CacheSyncFailed' | 'RunnableFailed' | 'LeaderElectionLost';

/** An error thrown or rejected by the Manager (here, at the bottom of the runtime, because the leader elector below the manager raises one when leadership is lost). Retryable only for `LeaderElectionLost`. */
export class ManagerError extends OpkitError {
  declare readonly reason: ManagerErrorReason;

  constructor(options: { reason: ManagerErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: options.reason === 'LeaderElectionLost' });
  }
}
