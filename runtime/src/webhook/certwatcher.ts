import { watch, readFileSync, statSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { sleep, type Clock } from '../util/clock.js';
import { WebhookError } from './errors.js';

/** Options of {@link CertWatcher}. */
export interface CertWatcherOptions {
  /** The directory holding the serving certificate and key (a mounted Secret, say). */
  readonly certDir: string;
  /** Certificate file name in `certDir` (default `tls.crt`). */
  readonly certName?: string;
  /** Private key file name in `certDir` (default `tls.key`). */
  readonly keyName?: string;
  readonly clock: Clock;
  /** How often the files are read again, in ms (default 10 000, controller-runtime's). */
  readonly pollIntervalMs?: number;
  /** Also react to file-system events on `certDir` at once (default true); polling stays on. */
  readonly watchFiles?: boolean;
  readonly logger?: Logger;
}

/** A loaded certificate and key, and the TLS context made from them. */
export interface ServingCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly context: SecureContext;
}

/**
 * Keeps the serving certificate of a directory current, like controller-runtime's certwatcher:
 * reads `<certDir>/<certName>` and `<certDir>/<keyName>` once (`load()`), then again every poll
 * interval and on file-system events while running, and reports each new valid pair.
 *
 * Guarantees: a pair is reported only when both files changed into a matching certificate and
 * key; while they do not match (a Secret being rewritten file by file) or cannot be read, the
 * last good pair stays in use and the problem is logged; the first `load()` fails with a typed
 * error naming the path and the fix.
 * Caveats: file events are best effort (some file systems have none); polling is the guarantee.
 */
export class CertWatcher {
  readonly certPath: string;
  readonly keyPath: string;
  readonly #o: CertWatcherOptions;
  readonly #log: Logger;
  #current: ServingCertificate | undefined;
  #lastProblem: string | undefined;

  constructor(options: CertWatcherOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.certPath = join(options.certDir, options.certName ?? 'tls.crt');
    this.keyPath = join(options.certDir, options.keyName ?? 'tls.key');
  }

  /** The pair in use, once loaded. */
  get current(): ServingCertificate | undefined {
    return this.#current;
  }

  /**
   * Reads both files and makes a TLS context of them.
   * @throws {WebhookError} `CertDirMissing`, `CertUnreadable` or `InvalidCertificate`.
   */
  read(): ServingCertificate {
    const dir = this.#o.certDir;
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (cause) {
      if (!hasCode(cause, 'ENOENT') && !hasCode(cause, 'ENOTDIR')) throw unreadable(dir, cause);
    }
    if (!isDir) {
      throw new WebhookError({
        reason: 'CertDirMissing',
        message: `the webhook certificate directory ${dir} does not exist (or is not a directory): put the serving certificate and key there as ${this.certPath} and ${this.keyPath} (PEM; a mounted Secret of type kubernetes.io/tls has them), or set the webhook server's certDir`,
      });
    }
    const cert = readPem(this.certPath, 'serving certificate');
    const key = readPem(this.keyPath, 'private key');
    try {
      return { cert, key, context: createSecureContext({ cert, key }) };
    } catch (cause) {
      throw new WebhookError({
        reason: 'InvalidCertificate',
        message: `${this.certPath} and ${this.keyPath} are not a PEM certificate and its matching private key (${cause instanceof Error ? cause.message : String(cause)}): write the serving certificate and the key it was issued for`,
        cause,
      });
    }
  }

  /** Loads the pair for the first time (what the server does before listening). @throws see {@link CertWatcher.read}. */
  load(): ServingCertificate {
    this.#current = this.read();
    return this.#current;
  }

  /**
   * Reads the files again; when they hold a new valid pair, makes it current and returns it.
   * Returns undefined when nothing changed or the new files are not (yet) a valid pair.
   */
  reload(): ServingCertificate | undefined {
    let next: ServingCertificate;
    try {
      next = this.read();
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      if (problem !== this.#lastProblem) this.#log.warn('Cannot reload the webhook serving certificate; keeping the one in use', { err });
      this.#lastProblem = problem;
      return undefined;
    }
    this.#lastProblem = undefined;
    const current = this.#current;
    if (current && current.cert.equals(next.cert) && current.key.equals(next.key)) return undefined;
    this.#current = next;
    this.#log.info('Loaded a new webhook serving certificate', { cert: this.certPath });
    return next;
  }

  /**
   * Reloads on every poll interval and file-system event until `signal` aborts, calling
   * `onChange` with each new pair.
   */
  async run(signal: AbortSignal, onChange: (pair: ServingCertificate) => void): Promise<void> {
    const check = (): void => {
      const next = this.reload();
      if (next) onChange(next);
    };
    let watcher: FSWatcher | undefined;
    if (this.#o.watchFiles !== false) {
      try {
        watcher = watch(this.#o.certDir, { persistent: false }, check);
        watcher.on('error', () => watcher?.close());
      } catch {
        watcher = undefined; // polling covers it
      }
    }
    try {
      while (!signal.aborted) {
        await sleep(this.#o.clock, this.#o.pollIntervalMs ?? 10_000, signal).catch(() => undefined);
        if (!signal.aborted) check();
      }
    } finally {
      watcher?.close();
    }
  }
}

function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function unreadable(path: string, cause: unknown): WebhookError {
  const why = hasCode(cause, 'EACCES') || hasCode(cause, 'EPERM') ? 'permission denied: make it readable by the operator\'s user' : hasCode(cause, 'EISDIR') ? 'it is a directory, not a file' : cause instanceof Error ? cause.message : String(cause);
  return new WebhookError({ reason: 'CertUnreadable', message: `cannot read ${path} (${why})`, cause });
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    if (hasCode(cause, 'ENOENT')) {
      return missing(path, what, cause);
    }
    throw unreadable(path, cause);
  }
}

function missing(path: string, what: string, cause: unknown): never {
  throw new WebhookError({ reason: 'CertUnreadable', message: `the ${what} ${path} does not exist: write it (PEM), or set the webhook server's certName/keyName to the file names in its certDir`, cause });
}
