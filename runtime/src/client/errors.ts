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

/** Response headers as Node gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The API Priority and Fairness headers of a response (undefined when APF is off or absent). */
export interface PriorityAndFairness {
  /** `X-Kubernetes-PF-FlowSchema-UID`: the FlowSchema that classified the request. */
  readonly flowSchemaUid: string | undefined;
  /** `X-Kubernetes-PF-PriorityLevel-UID`: the priority level the request was queued in. */
  readonly priorityLevelUid: string | undefined;
}

/** Reads the API Priority and Fairness headers of a response. */
export function priorityAndFairness(headers: ResponseHeaders | undefined): PriorityAndFairness {
  return { flowSchemaUid: firstHeader(headers, 'x-kubernetes-pf-flowschema-uid'), priorityLevelUid: firstHeader(headers, 'x-kubernetes-pf-prioritylevel-uid') };
}

function firstHeader(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  /** HTTP status; 0 when no HTTP answer arrived (connection failed, deadline passed). */
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly body?: StatusBody;
  readonly cause?: unknown;
  readonly text?: string;
  /** Overrides the reason derived from the status (`Timeout`, `MalformedBody`). */
  readonly reason?: string;
  /** Response headers, when a response arrived. */
  readonly headers?: ResponseHeaders;
  /** How long the server asked the client to wait (`Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** The first bytes of a body that could not be parsed. */
  readonly bodyPrefix?: string;
}

/**
 * An error answer from the API server (HTTP status ≥ 400), an answer the client could not read,
 * or a transport failure (status 0).
 *
 * `reason` is the Kubernetes Status reason (`NotFound`, `Conflict`, `AlreadyExists`, `Gone`,
 * `Invalid`, `Forbidden`, `TooManyRequests`, …); `Transport` for network errors; `Timeout` when the
 * request's deadline passed; `MalformedBody` when a response body was not JSON. Retryable:
 * transport errors, timeouts, malformed bodies, 429, 5xx and 409 conflicts.
 *
 * Guarantees: `headers`, `retryAfterMs` and the APF UIDs are set whenever the server answered;
 * `bodyPrefix` holds the first bytes of a body that could not be parsed.
 */
export class ApiError extends OpkitError {
  /** HTTP status; 0 when no HTTP answer arrived. */
  readonly status: number;
  /** The parsed Status body, when the server sent one. */
  readonly body: StatusBody | undefined;
  /** The response headers (lower-case names), when the server answered. */
  readonly headers: ResponseHeaders | undefined;
  /** The server's `Retry-After`, in ms (429 and 503 answers usually carry one). */
  readonly retryAfterMs: number | undefined;
  /** API Priority and Fairness: the FlowSchema and priority level UIDs of the answer. */
  readonly flowSchemaUid: string | undefined;
  readonly priorityLevelUid: string | undefined;
  /** The first bytes of a body that was not JSON (reason `MalformedBody`). */
  readonly bodyPrefix: string | undefined;
  /** The request's HTTP method. */
  readonly method: string;
  /** The request's path (without its query), e.g. `/apis/apps/v1/namespaces/default/deployments`. */
  readonly path: string;

  constructor(options: ApiErrorOptions) {
    const reason = options.reason ?? (options.status === 0 ? 'Transport' : options.body?.reason || reasonForStatus(options.status));
    const detail = options.body?.message ?? options.text ?? (options.cause instanceof Error ? options.cause.message : '');
    const what = options.status === 0 ? (reason === 'Transport' ? 'request failed' : reason) : `HTTP ${options.status} ${reason}`;
    super({
      reason,
      message: `${options.method} ${options.path}: ${what}${detail ? `: ${detail}` : ''}`,
      cause: options.cause,
      retryable:
        options.status === 0 || reason === 'MalformedBody' || options.status === 429 || options.status === 409 || options.status >= 500,
    });
    this.status = options.status;
    this.body = options.body;
    this.headers = options.headers;
    this.retryAfterMs = options.retryAfterMs;
    const apf = priorityAndFairness(options.headers);
    this.flowSchemaUid = apf.flowSchemaUid;
    this.priorityLevelUid = apf.priorityLevelUid;
    this.bodyPrefix = options.bodyPrefix;
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
    case 503:
      return 'ServiceUnavailable';
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
/** Whether no HTTP answer arrived for `err` (connection refused or reset, deadline passed). */
export const isUnreachable = (err: unknown): boolean => err instanceof ApiError && err.status === 0 && err.reason !== 'MalformedBody';

/**
 * The `Retry-After` of the first {@link ApiError} in `err`'s cause chain, in ms; undefined when
 * there is none.
 */
export function retryAfterOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof ApiError && e.retryAfterMs !== undefined) return e.retryAfterMs;
  }
  return undefined;
}

/** The first {@link ApiError} in `err`'s cause chain. */
export function apiErrorIn(err: unknown): ApiError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof ApiError) return e;
  }
  return undefined;
}
