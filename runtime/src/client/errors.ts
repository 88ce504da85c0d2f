import { OpkitError } from '../errors/opkit-error.js';

/** A Kubernetes `Status` body, as returned with API errors. */
export interface StatusBody {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

/**
 * An error answer from the API server (HTTP status ≥ 400) or a transport failure (status 0).
 *
 * `reason` is the Kubernetes Status reason (`NotFound`, `Conflict`, `AlreadyExists`, `Gone`,
 * `Invalid`, `Forbidden`, `TooManyRequests`, …) or `Transport` for network errors. Retryable:
 * transport errors, 429, 5xx and 409 conflicts.
 */
export class ApiError extends OpkitError {
  /** HTTP status; 0 for transport errors. */
  readonly status: number;
  /** The parsed Status body, when the server sent one. */
  readonly body: StatusBody | undefined;
  /** The request's HTTP method. */
  readonly method: string;
  /** The request's path (without its query), e.g. `/apis/apps/v1/namespaces/default/deployments`. */
  readonly path: string;

  constructor(options: { status: number; method: string; path: string; body?: StatusBody; cause?: unknown; text?: string }) {
    const reason = options.status === 0 ? 'Transport' : options.body?.reason || reasonForStatus(options.status);
    const detail = options.body?.message ?? options.text ?? (options.cause instanceof Error ? options.cause.message : '');
    super({
      reason,
      message: `${options.method} ${options.path}: ${options.status === 0 ? 'request failed' : `HTTP ${options.status} ${reason}`}${detail ? `: ${detail}` : ''}`,
      cause: options.cause,
      retryable: options.status === 0 || options.status === 429 || options.status === 409 || options.status >= 500,
    });
    this.status = options.status;
    this.body = options.body;
    this.method = options.method;
    this.path = options.path;
  }
}

function reasonForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    default:
      return status >= 500 ? 'InternalError' : `HTTP${status}`;
  }
}

/** Whether `err` is an API 404. */
export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.status === 404;
/** Whether `err` is an optimistic-concurrency conflict (409 with reason Conflict). */
export const isConflict = (err: unknown): boolean => err instanceof ApiError && err.status === 409 && err.reason === 'Conflict';
/** Whether `err` is a create of an object that exists (409 AlreadyExists). */
export const isAlreadyExists = (err: unknown): boolean => err instanceof ApiError && err.reason === 'AlreadyExists';
/** Whether `err` is a 410 Gone (an expired resourceVersion). */
export const isGone = (err: unknown): boolean =>
  err instanceof ApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
