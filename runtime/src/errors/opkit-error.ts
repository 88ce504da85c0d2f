/**
 * The base of every error the runtime throws: a machine-readable `reason`, the underlying `cause`,
 * and whether retrying the same operation may succeed.
 */
export class OpkitError extends Error {
  /** A stable, machine-readable reason, e.g. `BinaryNotFound`, `CrdRejected`. */
  readonly reason: string;
  /** Whether the same operation may succeed if retried. */
  readonly retryable: boolean;

  constructor(options: { reason: string; message: string; cause?: unknown; retryable?: boolean }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = options.reason;
    this.retryable = options.retryable ?? false;
  }
}

/** Formats any thrown value (Error or not) as a one-line message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
