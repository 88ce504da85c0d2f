import type { Answer } from './connection-types.js';
import { ApiError, type StatusBody } from './errors.js';
import { retryAfterFromResponse } from './retry-after.js';

/** How many characters of a body that is not JSON an {@link ApiError} keeps (`bodyPrefix`). */
export const BODY_PREFIX_CHARS = 200;

/**
 * Reads a whole response body as UTF-8 (with stream events: an async iterator per answer costs more
 * than the usual one or two chunks).
 * @throws the stream's error, or an Error when it closed before its end.
 */
export function readBody(res: Answer): Promise<string> {
  const body = res.body;
  return new Promise<string>((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let ended = false;
    body.on('data', (chunk: Buffer) => {
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    body.once('end', () => {
      ended = true;
      const text = more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? '');
      // The listeners live as long as the stream, which its connection may keep: drop the chunks
      // so a large answer (an initial list) is not retained after it is parsed.
      first = undefined;
      more = undefined;
      resolve(text);
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(new Error('the connection closed before the end of the answer'));
    });
  });
}

/** The status and headers of an answer (an {@link Answer} or a whole reply). */
export type AnswerHead = Pick<Answer, 'status' | 'headers'>;

/** What {@link ApiError} needs to know about the request an answer belongs to. */
export interface AnsweredRequest {
  readonly method: string;
  readonly path: string;
}

/**
 * The {@link ApiError} of an error answer (status ≥ 400): the Status body when it parses, the
 * headers, and the `Retry-After` of a 429/503.
 */
export function errorFromResponse(req: AnsweredRequest, res: AnswerHead, text: string, nowMs: number): ApiError {
  let body: StatusBody | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    body = parsed && typeof parsed === 'object' ? (parsed as StatusBody) : undefined;
  } catch {
    body = undefined;
  }
  const status = res.status;
  const retryAfterMs = retryAfterFromResponse(status, res.headers, nowMs);
  return new ApiError({
    status,
    method: req.method,
    path: req.path,
    headers: res.headers,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(body ? { body } : { text: text.slice(0, BODY_PREFIX_CHARS) }),
  });
}

/**
 * Parses a successful answer's JSON body (`undefined` for an empty one).
 * @throws ApiError `MalformedBody` (retryable) with the first {@link BODY_PREFIX_CHARS} characters.
 */
export function parseJsonBody<T>(req: AnsweredRequest, res: AnswerHead, text: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    return malformed(req, res, text, cause);
  }
}

function malformed(req: AnsweredRequest, res: AnswerHead, text: string, cause: unknown): never {
  const prefix = text.slice(0, BODY_PREFIX_CHARS);
  throw new ApiError({
    status: res.status,
    method: req.method,
    path: req.path,
    reason: 'MalformedBody',
    headers: res.headers,
    cause,
    bodyPrefix: prefix,
    text: `the ${text.length}-character body is not JSON; it starts with ${JSON.stringify(prefix)}`,
  });
}
