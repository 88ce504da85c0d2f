/**
 * Errors of the scaffolding generators (`create-operator`, `opkit create api`, `opkit create webhook`).
 * @module
 */
import { OpkitError } from '@opkit/runtime/errors';

/** Machine-readable reasons a scaffolding step fails. */
export type ScaffoldErrorReason =
  | 'InvalidArguments'
  | 'InvalidProjectName'
  | 'InvalidDomain'
  | 'InvalidGroup'
  | 'ReservedGroup'
  | 'InvalidVersion'
  | 'InvalidKind'
  | 'ReservedKind'
  | 'InvalidPlural'
  | 'TargetNotEmpty'
  | 'NotAProject'
  | 'KindExists'
  // opkit create webhook for a kind the project does not have
  | 'KindNotFound'
  // opkit create webhook for a kind that already has them (without --force)
  | 'WebhookExists'
  | 'VersionExists'
  | 'MainNotUnderstood'
  | 'MalformedManifest'
  | 'TypesFailed'
  | 'RbacFailed'
  | 'InstallFailed'
  | 'GitFailed'
  | 'VersionMismatch'
  | 'RegistryUnreachable'
  // An interactive run whose summary the user answered no to.
  | 'Declined'
  // Ctrl-C at a prompt: the CLI exits 130 without a message.
  | 'Cancelled';

/**
 * The base of every error the generators throw: a stable `reason`, a message that names the value
 * and the rule it broke, and the underlying `cause`. Never retryable: the input must change.
 *
 * Guarantees: thrown before anything is written to disk when it is about the input (validation
 * happens first, rendering happens in memory, and the commit to disk is the last step).
 */
export class ScaffoldError extends OpkitError {
  declare readonly reason: ScaffoldErrorReason;

  constructor(options: { reason: ScaffoldErrorReason; message: string; cause?: unknown }) {
    super({ reason: options.reason, message: options.message, cause: options.cause, retryable: false });
  }
}

/** Whether `err` is a {@link ScaffoldError} (optionally of one reason). */
export function isScaffoldError(err: unknown, reason?: ScaffoldErrorReason): err is ScaffoldError {
  return err instanceof ScaffoldError && (reason === undefined || err.reason === reason);
}
