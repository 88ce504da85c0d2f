import { OpkitError } from '../../errors/opkit-error.js';
import type { Status, StatusCause } from '../review.js';

/** One reason for a denial: what is wrong, and where (`spec.size`, `spec.ports[0].name`). */
export interface DenialCause {
  readonly message: string;
  /** The field path, e.g. `spec.size`. */
  readonly field?: string;
  /** metav1 cause type (default `FieldValueInvalid` when a field is given). */
  readonly reason?: string;
}

/** Options of {@link AdmissionDenied}. */
export interface AdmissionDeniedOptions {
  /** What the user reads: kube-apiserver shows `admission webhook "…" denied the request: <message>`. */
  readonly message: string;
  /** The field at fault (one cause); or give `causes`. */
  readonly field?: string;
  /** Several causes (each with its field path), shown as the Status' details. */
  readonly causes?: readonly DenialCause[];
  /** HTTP-like code (default 422 `Invalid` with a field or causes, else 403 `Forbidden`). */
  readonly code?: number;
  /** Warnings to return with the denial. */
  readonly warnings?: readonly string[];
}

/**
 * Thrown by a validator (or defaulter) to deny the request with a message and field paths:
 * `throw new AdmissionDenied({ message: 'spec.size must be at most 10', field: 'spec.size' })`.
 *
 * Guarantees: becomes `allowed: false` with `status.message` = the message, `status.code` (422
 * `Invalid` when fields are given, else 403 `Forbidden`) and `status.details.causes` = one
 * `{ reason, message, field }` per cause; never a 500.
 */
export class AdmissionDenied extends OpkitError {
  declare readonly reason: 'Denied';
  readonly causes: readonly DenialCause[];
  readonly code: number;
  readonly warnings: readonly string[];

  constructor(options: AdmissionDeniedOptions) {
    super({ reason: 'Denied', message: options.message });
    this.causes = options.causes ?? (options.field === undefined ? [] : [{ message: options.message, field: options.field }]);
    this.code = options.code ?? (this.causes.length > 0 ? 422 : 403);
    this.warnings = options.warnings ?? [];
  }

  /** The metav1.Status of the denial. */
  toStatus(): Status {
    const causes: StatusCause[] = this.causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, ...(c.field === undefined ? {} : { field: c.field }) }));
    return {
      status: 'Failure',
      code: this.code,
      reason: this.code === 422 ? 'Invalid' : this.code === 403 ? 'Forbidden' : 'BadRequest',
      message: this.message,
      ...(causes.length > 0 ? { details: { causes } } : {}),
    };
  }
}
