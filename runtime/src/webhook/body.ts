import type { IncomingMessage } from 'node:http';

/** Why a body could not be read: larger than the limit, the deadline passed, or the caller left. */
export class RequestBodyError extends Error {
  constructor(
    readonly kind: 'TooLarge' | 'Timeout' | 'Aborted',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body as UTF-8, refusing more than `limit` bytes (by Content-Length at once,
 * else as the bytes arrive).
 *
 * Guarantees: rejects with {@link RequestBodyError} `TooLarge` without buffering more than
 * `limit` bytes; with the signal's reason when `signal` aborts first; stops listening either way.
 */
export function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new RequestBodyError('TooLarge', `body of ${declared} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.resume();
        reject(new RequestBodyError('TooLarge', `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      done();
      reject(new RequestBodyError('Aborted', err.message));
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason instanceof RequestBodyError ? signal.reason : new RequestBodyError('Aborted', 'aborted'));
    };
    if (signal.aborted) return onAbort();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
