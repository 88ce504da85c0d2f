import type { KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log/logger.js';
import { realClock, type Clock } from '../util/clock.js';
import { Deadlines, startDeadline, type Deadline } from './deadline.js';
import type { Answer, Connections, Reply } from './connection-types.js';
import { createHttp1Connections } from './connections.js';
import { createHttp2Connections, isConnectionLost } from './http2.js';
import { isClientNodeKubeConfig, restConfigFromClientNode } from './kubeconfig/from-client-node.js';
import { prepareCluster } from './prepared.js';
import type { RestConfig } from './rest-config.js';
import { ApiError } from './errors.js';
import { ServerHealth } from './health.js';
import { noopTransportMetrics, type TransportMetrics } from './metrics.js';
import { errorFromResponse, parseJsonBody, readBody, type AnswerHead } from './response.js';
import { RetryAfterGate } from './retry-after.js';

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One HTTP request to the API server. */
export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. `/api/v1/namespaces/default/configmaps`. */
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  /** Content type of `body` (default `application/json`). */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /**
   * Deadline in ms — of the whole request, or for `stream` of the answer's headers; 0 disables.
   * Default: the transport's `requestTimeoutMs` / `watchOpenTimeoutMs`.
   */
  readonly timeoutMs?: number;
  /** `stream` only: called once the server answered 2xx (the watch is open). */
  readonly onOpen?: () => void;
}

/**
 * The HTTP layer under the client and the watcher: authentication from a {@link RestConfig} (or a
 * client-node KubeConfig), HTTP/2 or keep-alive HTTP/1.1 connections, deadlines, `Retry-After`,
 * JSON in and out, errors as {@link ApiError}.
 */
export interface Transport {
  /** Sends a request and parses the JSON answer. @throws ApiError */
  request<T>(req: TransportRequest): Promise<T>;
  /**
   * Opens a streaming GET (a watch) and yields each newline-delimited JSON line as a string.
   * The iterator ends when the server closes the stream; aborting `signal` ends it too.
   * @throws ApiError when the server answers with an error status or the connection fails.
   */
  stream(req: TransportRequest): AsyncIterable<string>;
  /**
   * Opens a streaming GET (a watch) and pushes its body to `sink` as UTF-8 text, chunk by chunk,
   * synchronously from the body's `data` event: no promise or async iterator per chunk or line.
   * Resolves when the server ends the stream or `signal` aborts; rejects like {@link Transport.stream}.
   * Optional: the watcher falls back to `stream` without it.
   *
   * Guarantees: chunks arrive in order and whole characters (a multi-byte character is never
   * split); nothing is delivered after `signal` aborted or after `sink.data` threw (the promise
   * then rejects with that exception, unchanged, and the stream is ended).
   */
  streamTo?(req: TransportRequest, sink: StreamSink): Promise<void>;
  /** Closes the connections and stops health probes. */
  close(): void;
  /**
   * After a stall: HTTP/1.1 destroys idle keep-alive connections (they may be as dead as the
   * stalled one); HTTP/2 PINGs its connection and replaces it when the answer does not come in time.
   */
  flush?(): void;
  /** The client's view of the server's health (probes `/readyz` after failures). */
  readonly health?: ServerHealth | undefined;
}

/** Pauses and resumes the body of a {@link Transport.streamTo} stream (backpressure). */
export interface StreamFlow {
  /** Stops handing over data (the connection's flow control then holds the server back). */
  pause(): void;
  /** Hands over data again. */
  resume(): void;
}

/** Receives the body of a {@link Transport.streamTo} stream. */
export interface StreamSink {
  /** The server answered 2xx, before any data; `flow` pauses and resumes the body. */
  open?(flow: StreamFlow): void;
  /** The next chunk of the body (UTF-8 text, any number of lines, possibly a partial one). */
  data(text: string): void;
}

/** How often one GET is sent again after its HTTP/2 connection was lost (within its deadline). */
const MAX_LOST_RESENDS = 5;

function firstHeader(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' || v === undefined ? v : v[0];
}

/** Which HTTP version the transport speaks to the API server. */
export type TransportProtocol = 'http2' | 'http1';

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /**
   * `'http1'` (the default): a pool of keep-alive HTTP/1.1 connections, written and parsed by
   * Opkit on `node:tls`/`node:net` sockets (no `node:http`: its layers cost more CPU per request than
   * the TLS and the server's answer); a stalled connection is found by the watch heartbeat and the
   * deadlines. `'http2'`: one multiplexed connection on `node:http2`, checked with PINGs (as
   * client-go does), about twice the client CPU per request. See docs/operations.md for the
   * measurements.
   */
  readonly protocol?: TransportProtocol;
  /** HTTP/1.1: maximum concurrent sockets to the API server (default 64). */
  readonly maxSockets?: number;
  /**
   * HTTP/2: PING the connection after this long without reading a frame, in ms (default 3000), and
   * replace it when the PING is not answered within `pingTimeoutMs` (default 5000). A dead
   * connection is found within about `pingIntervalMs * 2 + pingTimeoutMs`.
   */
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  /**
   * HTTP/2: start each stream without the deprecated `asyncResource` accessor that Node's
   * `AsyncResource.prototype.bind` defines on every `session.request` (Node 20: about 12 µs of CPU
   * per request) by swapping that `bind` during the synchronous `session.request` call; see
   * docs/operations.md. Default false: the library does not touch Node's built-ins unless asked,
   * and HTTP/2 is not the default protocol.
   */
  readonly http2LeanStreamStart?: boolean;
  /** User-Agent header (default `opkit`). */
  readonly userAgent?: string;
  /** Source of time for deadlines, `Retry-After` and probes (default {@link realClock}). */
  readonly clock?: Clock;
  /** Default deadline of a request, from sending to the last byte of the answer, in ms (default 30 000). */
  readonly requestTimeoutMs?: number;
  /** Default deadline of a watch's answer headers, in ms (default 10 000); the watcher guards the stream. */
  readonly watchOpenTimeoutMs?: number;
  /** How often a 429/503 with `Retry-After` is retried by `request` after the wait (default 3). */
  readonly retryAfterRetries?: number;
  /** Receives a debug line per answer (method, path, status, ms, APF UIDs) and health changes (default silent). */
  readonly logger?: Logger;
  /** `rest_client_*` hooks (default none). */
  readonly metrics?: TransportMetrics;
  /** `/readyz` probing after failures: pause between probes (default 250 ms) and each probe's deadline (default 1000 ms). */
  readonly health?: { readonly probeIntervalMs?: number; readonly probeTimeoutMs?: number };
}

/**
 * Creates a {@link Transport} to the API server of `config`: a {@link RestConfig} (from
 * {@link loadKubeConfig}) or a client-node `KubeConfig` (its current context).
 *
 * Guarantees:
 * - the TLS material, the agent or HTTP/2 connection and the static headers are prepared once, here;
 *   a credential that expires ({@link RestConfig.credentials}: exec plugins, token files) is asked
 *   for on every request and told to refresh after a 401, so rotating tokens keep working;
 * - every request has a deadline (30 s by default), a watch's answer headers too (10 s); a request
 *   that passes it rejects with an {@link ApiError} `Timeout` and its request is ended; HTTP/1.1
 *   destroys its connection and every idle keep-alive one, HTTP/2 resets the stream and PINGs the
 *   connection, replacing it when the PING is not answered within `pingTimeoutMs`;
 * - HTTP/2: an unanswered PING, a GOAWAY or a connection error moves new requests to a new
 *   connection at once; what was in flight on a dead connection fails (and is retried by its caller);
 * - after a 429/503 with `Retry-After` no request to that path leaves before the time is up, and
 *   `request` retries it (`retryAfterRetries` times) after the wait;
 * - a failure without an answer is reported to `health`, which probes `/readyz` on a fresh HTTP/1.1
 *   connection of its own until the server answers.
 * Caveats: HTTP proxies configured in the kubeconfig are not supported.
 * @throws KubeConfigError `MissingEntry` for a client-node KubeConfig without a current cluster;
 *   ApiError when the server URL is not an http(s) URL.
 */
export function createTransport(config: RestConfig | KubeConfig, options: TransportOptions = {}): Transport {
  const rest = isClientNodeKubeConfig(config) ? restConfigFromClientNode(config) : config;
  const cluster = prepareCluster(rest, options.userAgent ?? 'opkit');
  const clock = options.clock ?? realClock;
  const log = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopTransportMetrics;
  const gate = new RetryAfterGate({ clock });
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const watchOpenTimeoutMs = options.watchOpenTimeoutMs ?? 10_000;
  const retries = options.retryAfterRetries ?? 3;
  const protocol = options.protocol ?? 'http1';
  const http1 = createHttp1Connections(cluster, { maxSockets: options.maxSockets ?? 64 });
  const pool: Connections =
    protocol === 'http2'
      ? createHttp2Connections(cluster, {
          clock,
          pingIntervalMs: options.pingIntervalMs ?? 3000,
          pingTimeoutMs: options.pingTimeoutMs ?? 5000,
          leanStreamStart: options.http2LeanStreamStart ?? false,
          onReplaced: (cause) => {
            metrics.poolFlushed();
            log.debug('HTTP/2 connection replaced', { cause: String(cause) });
            health.reportFailure(cause);
          },
        })
      : http1;
  const open = pool.open;
  const flush = (): void => {
    pool.flush();
    if (pool === http1) metrics.poolFlushed();
  };

  const health = new ServerHealth({
    clock,
    ...options.health,
    probe: async (signal) => {
      const res = await http1.open({ method: 'GET', path: '/readyz' }, 'text/plain', signal, 'probe');
      await readBody(res);
      return res.status === 200;
    },
    onChange: (state, cause) => log.info('API server health changed', { state, cause: String(cause) }),
  });
  health.onRecovered(() => gate.endOutage());

  function deadlineFor(req: TransportRequest, fallbackMs: number, kind: 'request' | 'watch'): Deadline {
    return startDeadline({
      clock,
      ms: req.timeoutMs ?? fallbackMs,
      parent: req.signal,
      onExpire: () => {
        metrics.deadlineExceeded(kind);
        flush();
      },
    });
  }

  // requests: one timer per deadline duration for all calls in flight, no timer or AbortController each
  const onRequestExpired = (): void => {
    metrics.deadlineExceeded('request');
    flush();
  };
  const defaultDeadlines = new Deadlines({ clock, ms: requestTimeoutMs, onExpire: onRequestExpired });
  const otherDeadlines = new Map<number, Deadlines>();
  function deadlinesFor(ms: number | undefined): Deadlines {
    if (ms === undefined || ms === requestTimeoutMs) return defaultDeadlines;
    let list = otherDeadlines.get(ms);
    if (list === undefined) otherDeadlines.set(ms, (list = new Deadlines({ clock, ms, onExpire: onRequestExpired })));
    return list;
  }

  /** The ApiError for a request that got no (complete) answer; reports it to `health`. */
  function failure(req: TransportRequest, cause: unknown, timedOut: boolean): ApiError {
    if (cause instanceof ApiError) return cause;
    const err = new ApiError({
      status: 0,
      method: req.method,
      path: req.path,
      cause,
      ...(timedOut ? { reason: 'Timeout', text: `no answer within ${req.timeoutMs ?? requestTimeoutMs} ms (the connection was closed)` } : {}),
    });
    if (!req.signal?.aborted) {
      metrics.response({ method: req.method, status: 0, durationMs: 0, flowSchemaUid: undefined, priorityLevelUid: undefined });
      health.reportFailure(err);
    }
    return err;
  }

  const logsDebug = log.isLevelEnabled?.('debug') ?? true;
  function observe(req: TransportRequest, res: AnswerHead, startedAt: number): void {
    const status = res.status;
    const durationMs = clock.now() - startedAt;
    const headers = res.headers;
    const flowSchemaUid = firstHeader(headers['x-kubernetes-pf-flowschema-uid']);
    const priorityLevelUid = firstHeader(headers['x-kubernetes-pf-prioritylevel-uid']);
    metrics.response({ method: req.method, status, durationMs, flowSchemaUid, priorityLevelUid });
    if (logsDebug) log.debug('API answer', { method: req.method, path: req.path, status, durationMs, flowSchemaUid, priorityLevelUid });
    if (status < 400) health.reportAnswer();
  }

  /** The error of a ≥ 400 answer; notes its `Retry-After` in the gate. */
  function answerError(req: TransportRequest, res: AnswerHead, text: string): ApiError {
    const err = errorFromResponse(req, res, text, clock.now());
    if (err.status === 401) cluster.credentials?.invalidate?.();
    if (err.retryAfterMs !== undefined) {
      gate.note(req.path, err.retryAfterMs, { duringOutage: health.outage });
      metrics.retryAfter(err.status, err.retryAfterMs);
      log.debug('API server asked to wait', { path: req.path, status: err.status, retryAfterMs: err.retryAfterMs });
    }
    return err;
  }

  /**
   * `request`: sends `req` and reads the whole answer under one deadline; a GET whose HTTP/2
   * connection was lost before the answer is sent again on the new connection (as client-go does),
   * within the same deadline; a 429/503 with `Retry-After` is retried after the wait.
   */
  async function request<T>(req: TransportRequest): Promise<T> {
    for (let attempt = 0, lost = 0; ; ) {
      if (gate.delayFor(req.path) > 0) await gate.wait(req.path, req.signal);
      const startedAt = clock.now();
      const deadlines = deadlinesFor(req.timeoutMs);
      const call = deadlines.start(req.signal);
      let reply: Reply;
      for (;;) {
        try {
          reply = await pool.exchange(req, 'application/json', call);
          break;
        } catch (err) {
          if (req.method === 'GET' && isConnectionLost(err) && !call.aborted && lost++ < MAX_LOST_RESENDS) {
            log.debug('connection lost before the answer; sending the GET again', { path: req.path, cause: String(err) });
            continue;
          }
          deadlines.finish(call);
          throw failure(req, err, call.expired);
        }
      }
      deadlines.finish(call);
      observe(req, reply, startedAt);
      if (reply.status < 400) return parseJsonBody<T>(req, reply, reply.text);
      const err = answerError(req, reply, reply.text);
      if (err.retryAfterMs === undefined || attempt++ >= retries) throw err;
    }
  }

  /**
   * Opens a streamed GET (a watch): waits out a Retry-After, answers within the watch-open
   * deadline, and fails with the answer's error for a status >= 400. The deadline keeps following
   * the caller's signal; cancel it once the stream ends.
   */
  async function openStream(req: TransportRequest): Promise<{ res: Answer; deadline: Deadline }> {
    if (gate.delayFor(req.path) > 0) await gate.wait(req.path, req.signal);
    const startedAt = clock.now();
    const deadline = deadlineFor(req, watchOpenTimeoutMs, 'watch');
    try {
      const res = await open(req, 'application/json', deadline.signal);
      deadline.clearTimer();
      observe(req, res, startedAt);
      if (res.status >= 400) throw answerError(req, res, await readBody(res).catch(() => ''));
      return { res, deadline };
    } catch (err) {
      deadline.cancel();
      throw failure(req, err, deadline.expired);
    }
  }

  return {
    health,
    flush,

    request,

    async *stream(req: TransportRequest): AsyncIterable<string> {
      const { res, deadline } = await openStream(req);
      req.onOpen?.();
      const body = res.body;
      body.setEncoding('utf8');
      let partial = '';
      try {
        for await (const chunk of body) {
          const lines = (partial + (chunk as string)).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') yield line;
        }
      } catch (cause) {
        if (req.signal?.aborted) return;
        throw failure(req, cause, deadline.expired);
      } finally {
        body.destroy();
        deadline.cancel();
      }
      if (partial.trim() !== '') yield partial;
    },

    async streamTo(req: TransportRequest, sink: StreamSink): Promise<void> {
      const { res, deadline } = await openStream(req);
      const body = res.body;
      const signal = req.signal;
      body.setEncoding('utf8');
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        // raw: the sink's own exception, handed back unchanged (not a transport failure)
        const settle = (error: unknown, raw: boolean): void => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          body.off('data', onData);
          body.destroy();
          deadline.cancel();
          if (error === undefined || (!raw && signal?.aborted)) resolve();
          else reject(raw ? error : failure(req, error, deadline.expired));
        };
        const onAbort = (): void => settle(undefined, false);
        const onData = (chunk: string): void => {
          if (settled) return;
          try {
            sink.data(chunk);
          } catch (err) {
            settle(err, true);
          }
        };
        if (signal?.aborted) return settle(undefined, false);
        signal?.addEventListener('abort', onAbort, { once: true });
        body.once('end', () => settle(undefined, false));
        body.once('error', (err: unknown) => settle(err, false));
        body.once('close', () => settle(new Error('the watch stream closed before its end'), false));
        try {
          req.onOpen?.();
          sink.open?.({ pause: () => body.pause(), resume: () => body.resume() });
        } catch (err) {
          return settle(err, true);
        }
        body.on('data', onData);
      });
    },

    close(): void {
      health.close();
      pool.destroy();
      if (pool !== http1) http1.destroy();
    },
  };
}
