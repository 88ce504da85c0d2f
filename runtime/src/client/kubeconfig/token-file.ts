import { readFile } from 'node:fs/promises';
import type { Clock } from '../../util/clock.js';
import type { CredentialSource } from '../rest-config.js';
import { KubeConfigError } from './errors.js';

/** Options of {@link tokenFileCredentials}. */
export interface TokenFileOptions {
  /** The file holding the bearer token (a projected service account token, `tokenFile`). */
  readonly path: string;
  readonly clock: Clock;
  /** Re-read the file when the token is older than this, in ms (default 60 000, as client-go). */
  readonly refreshMs?: number;
}

/**
 * A bearer token read from a file and re-read every `refreshMs` and after a 401: kubelet rotates
 * projected service account tokens in place, so a long-running operator must not keep the first.
 *
 * Guarantees: one read at a time (concurrent requests share it); between reads every request gets
 * the cached value without touching the disk.
 * Caveats: a read that fails after a good one keeps the old token (it may still be valid) until the
 * next refresh; the first read's failure rejects with {@link KubeConfigError} `Unreadable`.
 */
export function tokenFileCredentials(options: TokenFileOptions): CredentialSource {
  const refreshMs = options.refreshMs ?? 60_000;
  let header: string | undefined;
  let readAt = -Infinity;
  let reading: Promise<string | undefined> | undefined;

  const read = async (): Promise<string | undefined> => {
    try {
      const token = (await readFile(options.path, 'utf8')).trim();
      header = token === '' ? undefined : `Bearer ${token}`;
      readAt = options.clock.now();
    } catch (cause) {
      if (header === undefined)
        throw new KubeConfigError({ reason: 'Unreadable', message: `cannot read the token file ${options.path}: ${(cause as Error).message}`, cause, retryable: true });
    } finally {
      reading = undefined;
    }
    return header;
  };

  return {
    authorization() {
      if (header !== undefined && options.clock.now() - readAt < refreshMs) return header;
      return (reading ??= read());
    },
    invalidate() {
      readAt = -Infinity;
    },
  };
}
