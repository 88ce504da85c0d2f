import { OpkitError } from '../errors/opkit-error.js';

/**
 * Why the webhook server could not do what was asked:
 * - `CertDirMissing`: the certificate directory does not exist;
 * - `CertUnreadable`: a certificate or key file is missing or cannot be read (permissions);
 * - `InvalidCertificate`: the files are not a PEM certificate and its matching private key;
 * - `ListenFailed`: the port is in use or the address cannot be bound;
 * - `InvalidPath`: a handler path that does not start with `/` (or has a query);
 * - `DuplicatePath`: a second handler for a path;
 * - `InvalidOptions`: an option out of range (port, size limit, timeout);
 * - `NotServing`: the server was asked about its address or readiness before it listens.
 */
export type WebhookErrorReason = 'CertDirMissing' | 'CertUnreadable' | 'InvalidCertificate' | 'ListenFailed' | 'InvalidPath' | 'DuplicatePath' | 'InvalidOptions' | 'NotServing';

/** An error of the webhook server. Not retryable, except `ListenFailed` (the port may free up). */
export class WebhookError extends OpkitError {
  declare readonly reason: WebhookErrorReason;

  constructor(options: { reason: WebhookErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: options.reason === 'ListenFailed' });
  }
}
