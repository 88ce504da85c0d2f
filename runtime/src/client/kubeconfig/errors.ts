import { OpkitError } from '../../errors/opkit-error.js';

/** Why a kubeconfig could not be turned into a `RestConfig`. */
export type KubeConfigErrorReason =
  /** No kubeconfig file, no `KUBECONFIG`, not in a cluster. */
  | 'NotFound'
  /** A file could not be read (missing, unreadable) — the message names it. */
  | 'Unreadable'
  /** A file is not valid YAML or not a kubeconfig. */
  | 'Malformed'
  /** The current (or requested) context, its cluster or its user is missing. */
  | 'MissingEntry'
  /** A setting Opkit's loader does not support (auth-provider, proxy-url); the message names the fix. */
  | 'Unsupported'
  /** An exec credential plugin failed or printed no valid ExecCredential. */
  | 'ExecFailed';

/**
 * A kubeconfig (or in-cluster configuration) problem: `reason` says which, the message names the
 * file, context or plugin and what fixes it.
 */
export class KubeConfigError extends OpkitError {
  /** Which problem it is (see {@link KubeConfigErrorReason}). */
  declare readonly reason: KubeConfigErrorReason;

  constructor(options: { reason: KubeConfigErrorReason; message: string; cause?: unknown; retryable?: boolean }) {
    super(options);
  }
}
