import type { KubeObject, Resource } from '../../api/resource.js';
import type { Logger } from '../../log/logger.js';
import type { AdmissionOperation, AdmissionRequest, IncomingReview, ReviewAnswer, UserInfo } from '../review.js';
import type { WebhookHandler } from '../server.js';
import { AdmissionDenied } from './denial.js';
import { createJsonPatch } from './json-patch.js';

/** What a defaulter or validator gets besides the object. */
export interface AdmissionContext<T extends KubeObject = KubeObject> {
  readonly operation: AdmissionOperation;
  /**
   * True for a dry run (`kubectl --dry-run=server`, `dryRun: ['All']`): the object will not be
   * stored, so a handler must not cause side effects it would not undo (webhooks built here
   * declare `sideEffects: None`).
   */
  readonly dryRun: boolean;
  readonly userInfo: UserInfo;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** The object before this request (UPDATE and DELETE); undefined on CREATE. */
  readonly oldObject: T | undefined;
  /** The raw AdmissionRequest. */
  readonly request: AdmissionRequest;
  /** Aborts at the server's request timeout; pass it to API calls. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Adds a warning to the response (kubectl prints it). */
  warn(message: string): void;
}

/**
 * Sets defaults on `obj`, a private copy of the request's object, by changing it in place (or
 * returns a replacement). Every field the API server sent is there, known to `T` or not.
 */
export type Defaulter<T extends KubeObject> = (obj: T, ctx: AdmissionContext<T>) => void | T | Promise<void | T>;

/** Warnings a validator returns (nothing = no warnings). */
export type Warnings = readonly string[] | void;

/**
 * Validates per operation; a missing method allows that operation. Return warnings, or throw
 * {@link AdmissionDenied} (message, field path) to deny. Any other error is a handler failure:
 * denied with code 500, naming the webhook.
 */
export interface Validator<T extends KubeObject> {
  create?(obj: T, ctx: AdmissionContext<T>): Warnings | Promise<Warnings>;
  update?(obj: T, oldObj: T, ctx: AdmissionContext<T>): Warnings | Promise<Warnings>;
  delete?(oldObj: T, ctx: AdmissionContext<T>): Warnings | Promise<Warnings>;
}

type Admission = Extract<IncomingReview, { kind: 'AdmissionReview' }>;

function context<T extends KubeObject>(review: Admission, signal: AbortSignal, logger: Logger, warnings: string[]): AdmissionContext<T> {
  const r = review.request;
  return {
    operation: r.operation,
    dryRun: r.dryRun === true,
    userInfo: r.userInfo ?? {},
    namespace: r.namespace || undefined,
    name: r.name || undefined,
    oldObject: (r.oldObject ?? undefined) as T | undefined,
    request: r,
    signal,
    logger,
    warn: (message) => void warnings.push(message),
  };
}

/** The review as an AdmissionReview for `resource`, or the answer refusing it. */
function admissionOf(review: IncomingReview, resource: Resource): Admission | ReviewAnswer {
  if (review.kind !== 'AdmissionReview') return { response: { allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: `this is an admission webhook for ${resource.kind}; it got a ${review.kind}` } } };
  const kind = review.request.kind;
  if (kind?.group !== resource.group || kind.kind !== resource.kind) {
    const got = kind ? `${kind.kind}.${kind.group || 'core'}` : 'no kind';
    return { response: { allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: `this webhook handles ${resource.kind}.${resource.group || 'core'}, got ${got}: check the rules of its webhook configuration` } } };
  }
  return review;
}

function denial(err: unknown, warnings: readonly string[]): ReviewAnswer {
  if (!(err instanceof AdmissionDenied)) throw err;
  const all = [...warnings, ...err.warnings];
  return { response: { allowed: false, status: err.toStatus(), ...(all.length > 0 ? { warnings: all } : {}) } };
}

/**
 * The mutating handler of `resource`: runs `defaulter` on a deep copy of the raw object and
 * answers a JSON Patch of only what it changed (none when nothing changed).
 *
 * Guarantees: fields the TypeScript type does not know are in the copy and, unchanged, absent
 * from the patch, so they survive; DELETE and CONNECT are allowed untouched; an
 * {@link AdmissionDenied} from the defaulter denies.
 */
export function defaultingHandler<T extends KubeObject>(resource: Resource<T>, defaulter: Defaulter<T>): WebhookHandler {
  return async (review, { signal, logger }) => {
    const admission = admissionOf(review, resource);
    if (!('request' in admission) || admission.kind !== 'AdmissionReview') return admission as ReviewAnswer;
    const raw = admission.request.object;
    if (raw === null || raw === undefined || (admission.request.operation !== 'CREATE' && admission.request.operation !== 'UPDATE')) return { response: { allowed: true } };
    const warnings: string[] = [];
    const copy = JSON.parse(JSON.stringify(raw)) as T; // JSON in, JSON out: faster than structuredClone
    let result: T;
    try {
      result = (await defaulter(copy, context<T>(admission, signal, logger, warnings))) ?? copy;
    } catch (err) {
      return denial(err, warnings);
    }
    const ops = createJsonPatch(raw, result, { beforeIsJson: true });
    return {
      response: {
        allowed: true,
        ...(ops.length > 0 ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(ops)).toString('base64') } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
      },
    };
  };
}

/**
 * The validating handler of `resource`: calls `validator.create|update|delete` for the request's
 * operation; allowed with the returned warnings, or denied by an {@link AdmissionDenied}.
 *
 * Guarantees: the objects belong to this request (changing them has no effect); `update` gets the old
 * object too, `delete` only the old object; an operation without a method is allowed.
 */
export function validatingHandler<T extends KubeObject>(resource: Resource<T>, validator: Validator<T>): WebhookHandler {
  return async (review, { signal, logger }) => {
    const admission = admissionOf(review, resource);
    if (!('request' in admission) || admission.kind !== 'AdmissionReview') return admission as ReviewAnswer;
    const r = admission.request;
    const warnings: string[] = [];
    const ctx = context<T>(admission, signal, logger, warnings);
    // the parsed review belongs to this request alone: the validator may read (or change) it freely
    const obj = (r.object ?? undefined) as T | undefined;
    const old = (r.oldObject ?? undefined) as T | undefined;
    let returned: Warnings = undefined;
    try {
      if (r.operation === 'CREATE' && validator.create && obj) returned = await validator.create(obj, ctx);
      else if (r.operation === 'UPDATE' && validator.update && obj && old) returned = await validator.update(obj, old, ctx);
      else if (r.operation === 'DELETE' && validator.delete && old) returned = await validator.delete(old, ctx);
    } catch (err) {
      return denial(err, warnings);
    }
    const all = [...warnings, ...(returned ?? [])];
    return { response: { allowed: true, ...(all.length > 0 ? { warnings: all } : {}) } };
  };
}
