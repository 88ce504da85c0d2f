import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../errors/opkit-error.js';
import type { Runnable } from '../lifecycle/runnable.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { realClock, type Clock } from '../util/clock.js';
import { CertWatcher } from './certwatcher.js';
import { WebhookError } from './errors.js';
import { noWebhookMetrics, type WebhookMetrics } from './metrics.js';
import { readBody, RequestBodyError } from './body.js';
import { completeAnswer, failureAnswer, MalformedReviewError, parseReview, type IncomingReview, type ReviewAnswer } from './review.js';

/** Options of {@link WebhookServer}; every field has controller-runtime's default. */
export interface WebhookServerOptions {
  /** Interface to listen on (default: all interfaces). */
  readonly host?: string;
  /** TCP port (default 9443); 0 picks a free one (read it back from {@link WebhookServer.address}). */
  readonly port?: number;
  /** Directory of the serving certificate and key (default `<tmpdir>/k8s-webhook-server/serving-certs`). */
  readonly certDir?: string;
  /** Certificate file name in `certDir` (default `tls.crt`). */
  readonly certName?: string;
  /** Key file name in `certDir` (default `tls.key`). */
  readonly keyName?: string;
  /** How often the certificate files are re-read, in ms (default 10 000); file events also trigger a reload. */
  readonly certPollIntervalMs?: number;
  /** React to file-system events in `certDir` at once (default true). */
  readonly watchCertFiles?: boolean;
  /** Largest request body accepted, in bytes (default 7 MiB, controller-runtime's); larger gets HTTP 413. */
  readonly maxRequestBytes?: number;
  /**
   * How long one request may take — reading the body and running the handler — in ms (default
   * 10 000, the API server's default `timeoutSeconds`), or less when the API server's `?timeout=`
   * says it gives up sooner. A handler still running then gets its `ctx.signal` aborted and the
   * request is answered with a failure naming it.
   */
  readonly requestTimeoutMs?: number;
  /** Lowest TLS version accepted (default `TLSv1.2`). */
  readonly tlsMinVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Source of time for timeouts, latency and certificate polling (default the wall clock). */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Default: none (a Manager passes its Prometheus sink, see `prometheusWebhookMetrics`). */
  readonly metrics?: WebhookMetrics;
}

/** What a handler gets besides the review. */
export interface WebhookRequestContext {
  /** The path the handler is registered at. */
  readonly path: string;
  /** Aborts when the request times out or the caller goes away; pass it to your API calls. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * A raw webhook handler: gets an AdmissionReview v1 or ConversionReview v1 whose envelope the
 * server checked, answers `{ response }` (the server sets apiVersion, kind and `response.uid`).
 * Throwing, or answering without `allowed` (admission) / `result` (conversion), makes the server
 * answer a failure naming the handler.
 */
export type WebhookHandler = (review: IncomingReview, ctx: WebhookRequestContext) => ReviewAnswer | Promise<ReviewAnswer>;

/** One admission or conversion rule (the `rules` of a webhook configuration). */
export interface WebhookRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly operations: ReadonlyArray<'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | '*'>;
  readonly scope?: 'Namespaced' | 'Cluster' | '*';
}

/**
 * What a registered handler is, for installing its configuration (e.g. the test environment's
 * `installWebhooks`): a mutating or validating admission webhook with its rules, or the
 * conversion webhook of the CRDs of `group` whose kind is in `kinds`.
 */
export type WebhookDescription =
  | { readonly type: 'mutating' | 'validating'; readonly name: string; readonly rules: readonly WebhookRule[] }
  | { readonly type: 'conversion'; readonly group: string; readonly kinds: readonly string[] };

/** Options of {@link WebhookServer.register}. */
export interface RegisterOptions {
  /** Used in failure messages and logs (default: the path). */
  readonly name?: string;
  readonly description?: WebhookDescription;
}

interface Entry {
  readonly path: string;
  readonly name: string;
  readonly handler: WebhookHandler;
  readonly description: WebhookDescription | undefined;
}

const MiB = 1024 * 1024;

/**
 * The webhook server: HTTPS, serving AdmissionReview v1 and ConversionReview v1 to the handlers
 * registered at exact paths (controller-runtime's `webhook.Server`).
 *
 * Guarantees:
 * - every replica serves (`needLeaderElection` is false): a webhook is never down because this
 *   process is not the leader;
 * - the certificate and key are read from `certDir` before listening and again whenever the
 *   files change, without a restart (new TLS handshakes use the new pair; a half-written pair is
 *   ignored until it matches);
 * - a body larger than `maxRequestBytes` gets 413; a body that is not a review of a supported
 *   version gets 400 with a message saying what is wrong; a method other than POST 405; an
 *   unknown path 404; a content type other than JSON 400 too;
 * - a handler that throws, or is still running after `requestTimeoutMs`, gets the request
 *   answered with a denial (admission) or a failed conversion naming the handler; the process
 *   never crashes because of a request;
 * - when `signal` aborts, the server stops accepting connections at once (and `/readyz` fails),
 *   answers the requests in flight (so a rolling update fails no admission request), then
 *   closes; `start(signal)` resolves once the port is closed.
 * Caveats: handlers may be registered at any time.
 */
export class WebhookServer implements Runnable {
  readonly needLeaderElection = false;
  readonly #o: WebhookServerOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: WebhookMetrics;
  readonly #certs: CertWatcher;
  readonly #entries = new Map<string, Entry>();
  #server: Server | undefined;
  #listening: Promise<AddressInfo> | undefined;
  #stopped = false;
  #inFlight = 0;
  #drained: (() => void) | undefined;

  /** @throws {WebhookError} `InvalidOptions` for an out-of-range port, size limit or timeout. */
  constructor(options: WebhookServerOptions = {}) {
    this.#o = options;
    for (const [name, value, min] of [
      ['port', options.port, 0],
      ['maxRequestBytes', options.maxRequestBytes, 1],
      ['requestTimeoutMs', options.requestTimeoutMs, 1],
      ['certPollIntervalMs', options.certPollIntervalMs, 1],
    ] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= min && (name !== 'port' || value <= 65535))) {
        throw new WebhookError({ reason: 'InvalidOptions', message: `webhook server option ${name} must be an integer ${name === 'port' ? 'from 0 to 65535' : `of at least ${min}`}, got ${String(value)}` });
      }
    }
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger ?? silentLogger;
    this.#metrics = options.metrics ?? noWebhookMetrics;
    this.#certs = new CertWatcher({
      certDir: options.certDir ?? join(tmpdir(), 'k8s-webhook-server', 'serving-certs'),
      ...(options.certName === undefined ? {} : { certName: options.certName }),
      ...(options.keyName === undefined ? {} : { keyName: options.keyName }),
      ...(options.certPollIntervalMs === undefined ? {} : { pollIntervalMs: options.certPollIntervalMs }),
      ...(options.watchCertFiles === undefined ? {} : { watchFiles: options.watchCertFiles }),
      clock: this.#clock,
      logger: this.#log,
    });
  }

  /**
   * Serves `handler` at `path` (exact match).
   * @throws {WebhookError} `InvalidPath` (not starting with `/`, or with `?`/`#`); `DuplicatePath`.
   */
  register(path: string, handler: WebhookHandler, options: RegisterOptions = {}): void {
    if (!/^\/[^?#\s]*$/.test(path)) throw new WebhookError({ reason: 'InvalidPath', message: `invalid webhook path ${JSON.stringify(path)}: use an absolute path such as /validate-example-com-v1-widget` });
    const existing = this.#entries.get(path);
    if (existing) throw new WebhookError({ reason: 'DuplicatePath', message: `a webhook handler (${existing.name}) is already registered at ${path}` });
    this.#entries.set(path, { path, name: options.name ?? path, handler, description: options.description });
  }

  /** The handler registered at `path`, if any. */
  handlerAt(path: string): WebhookHandler | undefined {
    return this.#entries.get(path)?.handler;
  }

  /** The registered paths with their descriptions (for installing webhook configurations). */
  webhooks(): Array<{ readonly path: string; readonly description: WebhookDescription | undefined }> {
    return [...this.#entries.values()].map((e) => ({ path: e.path, description: e.description }));
  }

  /** Requests to registered paths being served now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The bound address once listening. */
  address(): AddressInfo | undefined {
    const a = this.#server?.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  /** Where the certificate and key are read from. */
  get certificatePaths(): { readonly cert: string; readonly key: string } {
    return { cert: this.#certs.certPath, key: this.#certs.keyPath };
  }

  /**
   * The `/readyz` check: throws unless the server listens with a certificate loaded.
   * @throws {WebhookError} `NotServing`.
   */
  checkReady(): void {
    if (this.address() === undefined || this.#certs.current === undefined) {
      throw new WebhookError({ reason: 'NotServing', message: this.#stopped ? 'the webhook server has stopped' : 'the webhook server is not serving yet' });
    }
  }

  /**
   * Loads the certificate and starts listening (once; later calls return the same address).
   * @throws {WebhookError} `CertDirMissing`, `CertUnreadable`, `InvalidCertificate`, `ListenFailed`.
   */
  listen(): Promise<AddressInfo> {
    this.#listening ??= this.#listen();
    return this.#listening;
  }

  /** Listens (see {@link WebhookServer.listen}), keeps the certificate current until `signal` aborts, then closes. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.listen();
      await this.#certs.run(signal, (pair) => this.#server?.setSecureContext({ cert: pair.cert, key: pair.key }));
    } finally {
      await this.close();
    }
  }

  /**
   * Stops accepting connections, lets the requests in flight finish (each is bounded by its
   * request timeout), then closes every connection. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#stopped = true;
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.#clock.setTimer((this.#o.requestTimeoutMs ?? 10_000) + 1000, resolve);
        this.#drained = () => {
          timer.cancel();
          resolve();
        };
      });
    }
    server.closeAllConnections();
    await closed;
  }

  async #listen(): Promise<AddressInfo> {
    const pair = this.#certs.load();
    const server = createServer({ cert: pair.cert, key: pair.key, minVersion: this.#o.tlsMinVersion ?? 'TLSv1.2' }, (req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 30_000;
    this.#server = server;
    const host = this.#o.host;
    const port = this.#o.port ?? 9443;
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error): void => {
        this.#server = undefined;
        reject(new WebhookError({ reason: 'ListenFailed', message: `the webhook server cannot listen on ${host ?? ''}:${port}: ${cause.message} (pick another port in the webhook options)`, cause }));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('tlsClientError', (err) => this.#log.debug('TLS handshake failed', { err }));
    const address = this.address() as AddressInfo;
    this.#log.info('Serving webhooks', { host: address.address, port: address.port, paths: [...this.#entries.keys()] });
    return address;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    const entry = this.#entries.get(path);
    if (entry === undefined) return void sendStatus(res, 404, 'NotFound', `no webhook is registered at ${path}`);
    const started = this.#clock.now();
    this.#metrics.requestStarted(path);
    this.#inFlight++;
    let code = 500;
    try {
      code = await this.#serve(entry, req, res);
    } catch (err) {
      this.#log.error('Webhook request failed', { webhook: path, err });
      if (!res.headersSent) sendStatus(res, 500, 'InternalError', `webhook ${entry.name}: ${describeError(err)}`);
      else res.destroy();
    } finally {
      if (--this.#inFlight === 0) this.#drained?.();
      this.#metrics.requestFinished(path, code, (this.#clock.now() - started) / 1000);
    }
  }

  /** Answers one request to `entry`; returns the HTTP status sent. */
  async #serve(entry: Entry, req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (req.method !== 'POST') return sendStatus(res, 405, 'MethodNotAllowed', `webhooks accept POST only, got ${req.method ?? ''}`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return sendStatus(res, 400, 'BadRequest', `contentType=${type === '' ? '(none)' : type}, expected application/json`);
    const timeoutMs = requestDeadlineMs(this.#o.requestTimeoutMs ?? 10_000, req.url);
    const abort = new AbortController();
    const timer = this.#clock.setTimer(timeoutMs, () => abort.abort(new RequestBodyError('Timeout', `did not answer within ${timeoutMs} ms`)));
    const gone = (): void => {
      if (!res.writableFinished) abort.abort(new RequestBodyError('Aborted', 'the caller closed the connection'));
    };
    res.once('close', gone);
    try {
      let body: string;
      try {
        body = await readBody(req, this.#o.maxRequestBytes ?? 7 * MiB, abort.signal);
      } catch (err) {
        if (!(err instanceof RequestBodyError)) throw err;
        if (err.kind === 'TooLarge') return sendStatus(res, 413, 'RequestEntityTooLarge', `the request body is larger than ${this.#o.maxRequestBytes ?? 7 * MiB} bytes`, true);
        if (err.kind === 'Timeout') return sendStatus(res, 408, 'Timeout', `the request body did not arrive within ${timeoutMs} ms`, true);
        res.destroy();
        return 499;
      }
      let review: IncomingReview;
      try {
        review = parseReview(body);
      } catch (err) {
        if (!(err instanceof MalformedReviewError)) throw err;
        this.#log.warn('Malformed webhook request', { webhook: entry.path, reason: err.message });
        return sendStatus(res, 400, 'BadRequest', `webhook ${entry.name}: ${err.message}`);
      }
      const answer = await this.#run(entry, review, abort.signal);
      if (res.destroyed) return 499;
      sendJson(res, 200, answer, this.#stopped);
      return 200;
    } finally {
      timer.cancel();
      res.off('close', gone);
    }
  }

  /** Runs the handler within the request's deadline; a throw or timeout becomes a failure answer. */
  async #run(entry: Entry, review: IncomingReview, signal: AbortSignal): Promise<unknown> {
    const logger = this.#log.child({ webhook: entry.path, uid: review.request.uid });
    const ctx: WebhookRequestContext = { path: entry.path, signal, logger };
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (signal.aborted) resolve('timeout');
      signal.addEventListener('abort', () => resolve('timeout'), { once: true });
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => entry.handler(review, ctx)), timedOut]);
      if (result === 'timeout') {
        this.#metrics.handlerFailed(entry.path);
        const reason = signal.reason instanceof Error ? signal.reason.message : 'was cut off';
        logger.error('Webhook handler timed out', { reason });
        return completeAnswer(review, failureAnswer(review, 504, `webhook ${entry.name} ${reason}`));
      }
      return completeAnswer(review, result);
    } catch (err) {
      this.#metrics.handlerFailed(entry.path);
      logger.error('Webhook handler failed', { err });
      return completeAnswer(review, failureAnswer(review, 500, `webhook ${entry.name} failed: ${describeError(err)}`));
    }
  }
}

/**
 * The time a request may take: `configuredMs`, or less when kube-apiserver says (`?timeout=10s`,
 * the configuration's `timeoutSeconds`) that it gives up sooner — answering 250 ms (at most a
 * tenth) before it does, so the caller reads the failure naming the handler, not its own timeout.
 */
export function requestDeadlineMs(configuredMs: number, url: string | undefined): number {
  const given = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(new URL(url ?? '/', 'https://localhost').searchParams.get('timeout') ?? '');
  if (!given) return configuredMs;
  const ms = Number(given[1]) * (given[2] === 'ms' ? 1 : given[2] === 's' ? 1000 : 60_000);
  const margin = Math.min(250, ms / 10);
  return Math.max(1, Math.min(configuredMs, Math.floor(ms - margin)));
}

function sendJson(res: ServerResponse, status: number, value: unknown, close = false): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
  res.end(body);
}

/** Answers a metav1.Status with HTTP `code`; returns `code`. */
function sendStatus(res: ServerResponse, code: number, reason: string, message: string, close = false): number {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }, close);
  return code;
}
