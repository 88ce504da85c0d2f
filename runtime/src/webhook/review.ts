/**
 * The wire types of the two reviews the webhook server serves, `admission.k8s.io/v1`
 * AdmissionReview and `apiextensions.k8s.io/v1` ConversionReview, and the envelope checks the
 * server applies before any handler sees a request.
 * @module
 */

/** A group, version and kind (`group` is `''` for the core group). */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** A group, version and resource (the plural). */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** The operation an admission request is for. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Who made the request (authentication.k8s.io/v1 UserInfo). */
export interface UserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** `admission.k8s.io/v1` AdmissionRequest. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  readonly subResource?: string;
  readonly requestKind?: GroupVersionKind;
  readonly requestResource?: GroupVersionResource;
  readonly requestSubResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: AdmissionOperation;
  readonly userInfo: UserInfo;
  /** The object as it would be stored (null on DELETE). */
  readonly object?: Record<string, unknown> | null;
  /** The existing object (UPDATE and DELETE; null on CREATE). */
  readonly oldObject?: Record<string, unknown> | null;
  /** True when the request will not be persisted (`kubectl --dry-run=server`). */
  readonly dryRun?: boolean;
  readonly options?: Record<string, unknown> | null;
}

/** One cause of a failure (metav1.StatusCause): `field` is a path such as `spec.size`. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** A metav1.Status, as an admission or conversion result. */
export interface Status {
  readonly status?: 'Success' | 'Failure';
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly causes?: readonly StatusCause[]; readonly name?: string; readonly group?: string; readonly kind?: string };
}

/** `admission.k8s.io/v1` AdmissionResponse. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: Status;
  /** Base64 of a JSON Patch (RFC 6902) document. */
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly warnings?: readonly string[];
}

/** `admission.k8s.io/v1` AdmissionReview. */
export interface AdmissionReview {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly request?: AdmissionRequest;
  readonly response?: AdmissionResponse;
}

/** `apiextensions.k8s.io/v1` ConversionRequest. */
export interface ConversionRequest {
  readonly uid: string;
  /** The version to convert every object to, e.g. `example.com/v2`. */
  readonly desiredAPIVersion: string;
  readonly objects: ReadonlyArray<Record<string, unknown>>;
}

/** `apiextensions.k8s.io/v1` ConversionResponse. */
export interface ConversionResponse {
  readonly uid: string;
  readonly convertedObjects: ReadonlyArray<Record<string, unknown>>;
  readonly result: Status;
}

/** `apiextensions.k8s.io/v1` ConversionReview. */
export interface ConversionReview {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'ConversionReview';
  readonly request?: ConversionRequest;
  readonly response?: ConversionResponse;
}

/** A review as a handler receives it: the server checked its envelope, so `request` is there. */
export type IncomingReview = (AdmissionReview & { readonly request: AdmissionRequest }) | (ConversionReview & { readonly request: ConversionRequest });

/** What a handler answers: the response; the server sets apiVersion, kind and `response.uid`. */
export type ReviewAnswer =
  | { readonly response: Omit<AdmissionResponse, 'uid'> & { readonly uid?: string } }
  | { readonly response: Omit<ConversionResponse, 'uid'> & { readonly uid?: string } };

const KNOWN: Readonly<Record<string, string>> = { AdmissionReview: 'admission.k8s.io/v1', ConversionReview: 'apiextensions.k8s.io/v1' };

/** Thrown by {@link parseReview}: the server answers HTTP 400 with this message. */
export class MalformedReviewError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the envelope of a request body: JSON, an AdmissionReview `admission.k8s.io/v1` or a
 * ConversionReview `apiextensions.k8s.io/v1`, with a `request` that has a string `uid` (and, for
 * admission, an `operation`; for conversion, `desiredAPIVersion` and an `objects` array).
 * @throws {MalformedReviewError} naming what is wrong and what was expected.
 */
export function parseReview(body: string): IncomingReview {
  if (body.trim() === '') throw new MalformedReviewError('the request body is empty; expected an AdmissionReview or ConversionReview (JSON)');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new MalformedReviewError(`the request body is not JSON (${err instanceof Error ? err.message : String(err)}); expected an AdmissionReview or ConversionReview`);
  }
  if (!isObject(value)) throw new MalformedReviewError('the request body is not a JSON object; expected an AdmissionReview or ConversionReview');
  const { kind, apiVersion, request } = value;
  const expected = typeof kind === 'string' ? KNOWN[kind] : undefined;
  if (expected === undefined) throw new MalformedReviewError(`unsupported kind ${JSON.stringify(kind)}; expected AdmissionReview (admission.k8s.io/v1) or ConversionReview (apiextensions.k8s.io/v1)`);
  if (apiVersion !== expected) {
    throw new MalformedReviewError(`unsupported ${String(kind)} version ${JSON.stringify(apiVersion)}; expected ${expected} (list only v1 in the configuration's admissionReviewVersions / conversionReviewVersions)`);
  }
  if (!isObject(request)) throw new MalformedReviewError(`the ${String(kind)} has no request object`);
  if (typeof request.uid !== 'string' || request.uid === '') throw new MalformedReviewError(`the ${String(kind)} request has no uid`);
  if (kind === 'AdmissionReview') {
    if (!['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(request.operation as string)) throw new MalformedReviewError(`the AdmissionReview request has no valid operation (got ${JSON.stringify(request.operation)})`);
  } else {
    if (typeof request.desiredAPIVersion !== 'string') throw new MalformedReviewError('the ConversionReview request has no desiredAPIVersion');
    if (!Array.isArray(request.objects)) throw new MalformedReviewError('the ConversionReview request has no objects array');
  }
  return value as unknown as IncomingReview;
}

/**
 * The answer to `review` when its handler failed or timed out: a denial (admission,
 * `allowed: false`) or a `Failure` result (conversion), with `message`, HTTP-like `code`.
 */
export function failureAnswer(review: IncomingReview, code: number, message: string): ReviewAnswer {
  const status: Status = { status: 'Failure', code, reason: code === 504 ? 'Timeout' : 'InternalError', message };
  return review.kind === 'AdmissionReview' ? { response: { allowed: false, status } } : { response: { convertedObjects: [], result: status } };
}

/**
 * The full review to send back: `answer` with the request's apiVersion, kind and uid.
 * @throws Error when the answer lacks what the API server needs (`allowed`, or `result`).
 */
export function completeAnswer(review: IncomingReview, answer: unknown): AdmissionReview | ConversionReview {
  const response = isObject(answer) ? answer.response : undefined;
  if (!isObject(response)) throw new Error('the handler returned no { response }');
  if (review.kind === 'AdmissionReview') {
    if (typeof response.allowed !== 'boolean') throw new Error('the handler\'s response has no boolean "allowed"');
    return { apiVersion: review.apiVersion, kind: review.kind, response: { ...(response as unknown as AdmissionResponse), uid: review.request.uid } };
  }
  if (!isObject(response.result) || !Array.isArray(response.convertedObjects)) throw new Error('the handler\'s response has no "result" and "convertedObjects"');
  return { apiVersion: review.apiVersion, kind: review.kind, response: { ...(response as unknown as ConversionResponse), uid: review.request.uid } };
}
