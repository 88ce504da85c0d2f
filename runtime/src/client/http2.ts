import { connect, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Clock, Timer } from '../util/clock.js';
import type { Answer, Connections, Reply } from './connection-types.js';
import type { Call } from './deadline.js';
import { bindDefinesAccessor, openStream } from './http2-request.js';
import { buildPath, http2Headers, withCredentials, type PreparedCluster } from './prepared.js';

/**
 * The HTTP/2 connection a request was on was found dead (PING unanswered, connect too slow) or
 * closed under it: no answer came, and a request that is safe to repeat may be sent again.
 */
export class ConnectionLostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionLostError';
  }
}

/** Whether `err` (or what caused it: Node wraps it in `ERR_HTTP2_STREAM_CANCEL`) is a {@link ConnectionLostError}. */
export function isConnectionLost(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) if (e instanceof ConnectionLostError) return true;
  return false;
}

/** Options of {@link createHttp2Connections}. */
export interface Http2Options {
  readonly clock: Clock;
  /** PING the connection this often, in ms. */
  readonly pingIntervalMs: number;
  /** Replace the connection when a PING (or the connect) is not answered within this, in ms. */
  readonly pingTimeoutMs: number;
  /**
   * Start streams without the deprecated accessor Node's `AsyncResource.prototype.bind` defines on
   * every `session.request` (see {@link openStream}; default true).
   */
  readonly leanStreamStart?: boolean;
  /** Called when a connection was found dead and replaced (not for a graceful GOAWAY). */
  readonly onReplaced?: (cause: unknown) => void;
}

/** `session.request` options (Node copies them): a body follows, or none. */
const END_STREAM = Object.freeze({ endStream: true });
const KEEP_OPEN = Object.freeze({ endStream: false });

/** One HTTP/2 connection and its health check. */
interface Live {
  readonly session: ClientHttp2Session;
  /** Streams without their `close` yet: the session holds the event loop only while > 0. */
  active: number;
  pingTimer: Timer | undefined;
  pingDeadline: Timer | undefined;
}

/**
 * One multiplexed HTTP/2 connection to one API server, as client-go uses: every request and
 * watch is a stream on it.
 *
 * Guarantees: the TLS material is prepared once (per cluster); the connection is PINGed every
 * `pingIntervalMs` and on {@link Connections.flush}, and replaced when an answer does not come
 * within `pingTimeoutMs` (a connect that does not finish within `pingIntervalMs + pingTimeoutMs`
 * too): the streams on it fail with {@link ConnectionLostError} and new requests go to a new
 * connection at once. A GOAWAY lets the streams in flight finish and sends new ones to a new
 * connection. An idle connection never keeps the process alive.
 * Caveats: one connection carries everything, so its flow control and the server's
 * `MAX_CONCURRENT_STREAMS` (250 for kube-apiserver) are shared by all requests and watches.
 */
export function createHttp2Connections(cluster: PreparedCluster, options: Http2Options): Connections {
  const { clock, pingIntervalMs, pingTimeoutMs } = options;
  const lean = (options.leanStreamStart ?? true) && bindDefinesAccessor();
  let current: Live | undefined;
  let destroyed = false;

  function replace(live: Live, cause: ConnectionLostError): void {
    if (current === live) current = undefined;
    if (live.session.destroyed) return;
    live.session.destroy(cause);
    options.onReplaced?.(cause);
  }

  function ping(live: Live): void {
    if (live.pingDeadline || live.session.destroyed || live.session.connecting) return;
    const deadline = clock.setTimer(pingTimeoutMs, () => replace(live, new ConnectionLostError(`the HTTP/2 connection to ${cluster.authority} did not answer a PING within ${pingTimeoutMs} ms`)));
    live.pingDeadline = deadline;
    let sent = false;
    try {
      sent = live.session.ping((err) => {
        deadline.cancel();
        live.pingDeadline = undefined;
        if (err && !live.session.destroyed) replace(live, new ConnectionLostError(`the HTTP/2 PING to ${cluster.authority} failed`, { cause: err }));
      });
    } catch {
      sent = false;
    }
    if (!sent) {
      deadline.cancel();
      live.pingDeadline = undefined;
    }
  }

  function schedulePing(live: Live): void {
    live.pingTimer = clock.setTimer(pingIntervalMs, () => {
      if (live.session.destroyed) return;
      ping(live);
      schedulePing(live);
    });
  }

  function connectNew(): Live {
    const session = connect(cluster.base.origin, { ...cluster.tls, settings: { enablePush: false } });
    const live: Live = { session, active: 0, pingTimer: undefined, pingDeadline: undefined };
    const connectDeadline = clock.setTimer(pingIntervalMs + pingTimeoutMs, () => {
      if (session.connecting) replace(live, new ConnectionLostError(`the HTTP/2 connection to ${cluster.authority} was not set up within ${pingIntervalMs + pingTimeoutMs} ms`));
    });
    session.once('connect', () => {
      connectDeadline.cancel();
      schedulePing(live);
    });
    session.on('error', () => {
      // the streams on it fail with the error; new requests take a new connection
      if (current === live) current = undefined;
    });
    session.on('goaway', () => {
      if (current === live) current = undefined;
      session.close();
    });
    session.once('close', () => {
      if (current === live) current = undefined;
      connectDeadline.cancel();
      live.pingTimer?.cancel();
      live.pingDeadline?.cancel();
    });
    session.unref();
    return live;
  }

  function live(): Live {
    if (current && !current.session.closed && !current.session.destroyed) return current;
    return (current = connectNew());
  }

  function send(headers: OutgoingHttpHeaders, payload: string | undefined, signal: AbortSignal): Promise<Answer> {
    if (destroyed) return Promise.reject(new ConnectionLostError('the transport is closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    const conn = live();
    return new Promise<Answer>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = openStream(conn.session, headers, { endStream: payload === undefined, signal }, lean);
      } catch (err) {
        // the session closed between live() and now (a GOAWAY, an error): no stream left
        reject(new ConnectionLostError(`no HTTP/2 stream could be opened to ${cluster.authority}`, { cause: err }));
        return;
      }
      if (conn.active++ === 0) conn.session.ref();
      let answered = false;
      stream.once('response', (h: IncomingHttpHeaders) => {
        answered = true;
        resolve({ status: Number(h[':status'] ?? 0), headers: h, body: stream });
      });
      stream.on('error', (err: unknown) => {
        if (!answered) reject(err);
      });
      stream.once('close', () => {
        if (--conn.active === 0 && !conn.session.destroyed) conn.session.unref();
        if (!answered) reject(new ConnectionLostError(`the HTTP/2 stream to ${cluster.authority} closed before an answer (code ${stream.rstCode ?? 'none'})`));
      });
      if (payload !== undefined) stream.end(payload);
    });
  }

  /**
   * One request and its whole answer on the current connection. The caller's call ends the stream
   * (no AbortSignal per request: `session.request({ signal })` costs an abort listener and a close
   * listener more).
   */
  function exchangeOn(headers: OutgoingHttpHeaders, payload: string | undefined, call: Call): Promise<Reply> {
    if (destroyed) return Promise.reject(new ConnectionLostError('the transport is closed'));
    if (call.aborted) return Promise.reject(call.reason);
    const conn = live();
    return new Promise<Reply>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = openStream(conn.session, headers, payload === undefined ? END_STREAM : KEEP_OPEN, lean);
      } catch (err) {
        reject(new ConnectionLostError(`no HTTP/2 stream could be opened to ${cluster.authority}`, { cause: err }));
        return;
      }
      if (conn.active++ === 0) conn.session.ref();
      call.attach(stream);
      let status = 0;
      let head: IncomingHttpHeaders | undefined;
      let first: Buffer | undefined;
      let more: Buffer[] | undefined;
      let ended = false;
      // `on`, not `once`: each fires once per stream, and `once` wraps every listener in a closure more
      stream.on('response', (h: IncomingHttpHeaders) => {
        head = h;
        status = Number(h[':status'] ?? 0);
      });
      stream.on('data', (chunk: Buffer) => {
        if (first === undefined) first = chunk;
        else (more ??= [first]).push(chunk);
      });
      stream.on('end', () => {
        ended = true;
        const text = more ? Buffer.concat(more).toString('utf8') : first === undefined ? '' : first.toString('utf8');
        // the listeners live as long as the stream: a large answer must not be retained by them
        first = more = undefined;
        resolve({ status, headers: head ?? {}, text });
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (--conn.active === 0 && !conn.session.destroyed) conn.session.unref();
        if (ended) return;
        if (head === undefined) reject(new ConnectionLostError(`the HTTP/2 stream to ${cluster.authority} closed before an answer (code ${stream.rstCode ?? 'none'})`));
        else reject(new Error('the connection closed before the end of the answer'));
      });
      if (payload !== undefined) stream.end(payload);
    });
  }

  return {
    exchange(req, accept, call) {
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers: OutgoingHttpHeaders = http2Headers(cluster, req.method, cluster.pathPrefix + buildPath(req.path, req.query, cluster.queryStrings), accept, payload, req.contentType);
      if (cluster.credentials) return withCredentials(cluster.credentials, headers).then((h) => exchangeOn(h, payload, call));
      return exchangeOn(headers, payload, call);
    },
    open(req, accept, signal) {
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers: OutgoingHttpHeaders = http2Headers(cluster, req.method, cluster.pathPrefix + buildPath(req.path, req.query, cluster.queryStrings), accept, payload, req.contentType);
      // no extra promise for static credentials: only an expiring one is awaited
      if (cluster.credentials) return withCredentials(cluster.credentials, headers).then((h) => send(h, payload, signal));
      return send(headers, payload, signal);
    },
    flush() {
      if (current) ping(current);
    },
    destroy() {
      destroyed = true;
      const c = current;
      current = undefined;
      c?.session.destroy();
    },
  };
}
