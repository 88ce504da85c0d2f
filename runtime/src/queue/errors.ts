import { OpkitError } from '../errors/opkit-error.js';

/**
 * Why a workqueue operation failed:
 * - `InvalidOptions`: an option is out of range (e.g. `concurrency: 0`, a negative delay);
 * - `ProcessorFailed`: the function given to {@link Workqueue.process} threw and no `onError`
 *   handler was given; `cause` is what it threw.
 */
export type WorkqueueErrorReason = 'InvalidOptions' | 'ProcessorFailed';

/** An error thrown or rejected by the workqueue. Never retryable: the caller must change something. */
export class WorkqueueError extends OpkitError {
  declare readonly reason: WorkqueueErrorReason;

  constructor(options: { reason: WorkqueueErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}

/** Throws `InvalidOptions` unless `value` is a finite number ≥ `min` (and an integer if asked). */
export function checkNumber(
  name: string,
  value: number,
  constraint: { min: number; integer?: boolean; allowInfinity?: boolean },
): void {
  const finiteOk = Number.isFinite(value) || (constraint.allowInfinity === true && value === Infinity);
  const ok = finiteOk && value >= constraint.min && (constraint.integer !== true || Number.isInteger(value) || value === Infinity);
  if (!ok) {
    const kind = constraint.integer === true ? 'an integer' : 'a number';
    throw new WorkqueueError({
      reason: 'InvalidOptions',
      message: `${name} must be ${kind} ≥ ${constraint.min}, got ${String(value)}`,
    });
  }
}
