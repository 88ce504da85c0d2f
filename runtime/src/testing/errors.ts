import { OpkitError } from '../errors/opkit-error.js';

/** Why a control-plane operation failed. */
export type TestEnvironmentReason =
  | 'BinaryNotFound'
  | 'GoNotFound'
  | 'BuildFailed'
  | 'CrdPathNotFound'
  | 'CrdParseFailed'
  | 'CrdRejected'
  | 'CrdNotReady'
  | 'StartFailed'
  | 'NotStarted'
  | 'InvalidIdentity'
  | 'IdentityFailed'
  | 'InvalidControllers'
  | 'WebhooksNotEnabled'
  | 'WebhookManifestInvalid'
  | 'WebhookInstallFailed';

/** An error from the test control plane: binaries, processes or CRD installation. */
export class TestEnvironmentError extends OpkitError {
  declare readonly reason: TestEnvironmentReason;

  constructor(options: { reason: TestEnvironmentReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}
