import { LeaderElectionError } from './errors.js';

/** What {@link validateTiming} checks. */
export interface ElectorTiming {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly jitterFactor: number;
}

/**
 * client-go's `NewLeaderElector` checks: leaseDuration > renewDeadline > retryPeriod ×
 * max(1, jitterFactor), all finite and > 0; non-empty name, namespace and identity.
 * @throws {LeaderElectionError} `InvalidConfig`.
 */
export function validateTiming(e: ElectorTiming): void {
  const bad = (message: string): never => {
    throw new LeaderElectionError({ reason: 'InvalidConfig', message });
  };
  if (!e.name) bad('leader election needs a lease name');
  if (!e.namespace) bad('leader election needs a lease namespace');
  if (!e.identity) bad('leader election identity must not be empty');
  for (const [key, value] of [['leaseDurationMs', e.leaseDurationMs], ['renewDeadlineMs', e.renewDeadlineMs], ['retryPeriodMs', e.retryPeriodMs]] as const) {
    if (!(value > 0) || !Number.isFinite(value)) bad(`${key} must be a finite number > 0, got ${value}`);
  }
  if (!(e.jitterFactor >= 0)) bad(`jitterFactor must be ≥ 0, got ${e.jitterFactor}`);
  if (e.leaseDurationMs <= e.renewDeadlineMs) bad(`leaseDurationMs (${e.leaseDurationMs}) must be greater than renewDeadlineMs (${e.renewDeadlineMs})`);
  const minDeadline = e.retryPeriodMs * Math.max(1, e.jitterFactor);
  if (e.renewDeadlineMs <= minDeadline) bad(`renewDeadlineMs (${e.renewDeadlineMs}) must be greater than retryPeriodMs × max(1, jitterFactor) (${minDeadline})`);
}
