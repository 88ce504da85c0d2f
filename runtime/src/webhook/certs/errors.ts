/**
 * Errors of the webhook certificate manager.
 * @module
 */
import { OpkitError } from '../../errors/opkit-error.js';

/** Why the certificate manager failed. */
export type CertManagerErrorReason =
  /** An option is missing or malformed (named in the message). */
  | 'InvalidOptions'
  /** The Secret could not be read or written (RBAC, the API server). */
  | 'SecretFailed'
  /** The certificate directory could not be written. */
  | 'CertDirFailed';

/**
 * An error of {@link WebhookCertManager}: a reason, a message naming the Secret, file or option,
 * and the cause. `retryable` when trying again may succeed (the API server, a conflict).
 */
export class CertManagerError extends OpkitError {
  declare readonly reason: CertManagerErrorReason;

  constructor(options: { reason: CertManagerErrorReason; message: string; cause?: unknown; retryable?: boolean }) {
    super(options);
  }
}
