/**
 * Keep-alive HTTP/1.1 connections to one API server, written on `node:net` / `node:tls` sockets
 * with {@link ResponseParser}, without `node:http`: a request is one socket write, an answer is
 * parsed from the socket's chunks, and nothing else is allocated per request but the request's
 * text and the answer. (`node:http`'s ClientRequest, IncomingMessage, agent and streams cost more
 * CPU per request than the TLS and the server's answer together: bench/controller-runtime.bench.ts.)
 * @module
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer, ConnectionPool, Connections, Reply } from './connection-types.js';
import type { Call } from './deadline.js';
import { ResponseParser, type ResponseSink } from './h1-parser.js';
import { ConnectionLostError } from './http2.js';
import { buildPath, type PreparedCluster } from './prepared.js';
import type { TransportRequest } from './transport.js';

/** Options of {@link createHttp1Connections}. */
export interface Http1Options {
  /** Maximum concurrent sockets of the shared pool (a watch holds one for as long as it runs). */
  readonly maxSockets: number;
}

/** What a connection's current request is told: the answer's events, or that it failed. */
interface Exchange extends ResponseSink {
  fail(err: Error): void;
  /** Whether any byte of the answer arrived (a request without is safe to report as lost). */
  answered: boolean;
}

/** One socket, its parser and the request on it (if any). */
interface Conn {
  readonly socket: Socket;
  readonly parser: ResponseParser;
  readonly pool: ConnectionPool;
  current: Exchange | undefined;
  /** Answers completed on this socket: a request on a reused socket may meet a close the server sent while it was idle. */
  served: number;
  idle: boolean;
}

const NO_ANSWER = 'the connection closed before the end of the answer';

function lineSafe(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`the ${name} header contains a line break`);
  return value;
}

/**
 * Keep-alive HTTP/1.1 connections to one API server.
 *
 * Guarantees: the TLS material and the request head's fixed lines are prepared once, here;
 * credentials that expire are asked for on every request; at most `maxSockets` shared sockets
 * are open (more requests wait, first come first served); a socket returns to the pool only
 * after a complete, framed answer with keep-alive; probe connections are fresh and closed after
 * their answer; a GET whose reused socket closed before any byte of its answer fails with
 * {@link ConnectionLostError} (the transport sends it again); aborting a call destroys its socket;
 * an idle socket never keeps the process alive.
 * Caveats: no pipelining; request bodies are strings; no `Expect: 100-continue`; no proxies. A
 * write (not a GET) sent on a kept-alive connection in the instant the server closes it fails with
 * {@link ConnectionLostError}, which the transport reports as a retryable error (as `node:http`
 * and client-go do: it cannot know whether the server saw the request).
 * @throws TypeError (from a request) when its path or a credential contains a space or line break.
 */
export function createHttp1Connections(cluster: PreparedCluster, options: Http1Options): Connections {
  const { secure } = cluster;
  const hostname = cluster.base.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(cluster.base.port || (secure ? 443 : 80));
  const tlsOptions = { host: hostname, port, ...cluster.tls, ALPNProtocols: ['http/1.1'], ...(cluster.tls.servername === undefined && isIP(hostname) === 0 ? { servername: hostname } : {}) };
  let fixedLines = `host: ${lineSafe('host', cluster.authority)}\r\n`;
  for (const name in cluster.headers) fixedLines += `${name}: ${lineSafe(name, cluster.headers[name] ?? '')}\r\n`;

  const idle: Conn[] = [];
  const all = new Set<Conn>();
  let shared = 0;
  const waiting: Array<(conn: Conn) => void> = [];
  let destroyed = false;

  function open(pool: ConnectionPool): Conn {
    const socket = secure ? tlsConnect(tlsOptions) : netConnect({ host: hostname, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    const conn: Conn = { socket, parser: new ResponseParser(), pool, current: undefined, served: 0, idle: false };
    all.add(conn);
    if (pool === 'shared') shared++;
    socket.on('data', (chunk: Buffer) => {
      const ex = conn.current;
      if (ex) ex.answered = true;
      try {
        conn.parser.feed(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('end', () => {
      try {
        conn.parser.close();
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', (err: Error) => fail(conn, err));
    socket.on('close', () => {
      fail(conn, undefined);
      all.delete(conn);
      if (conn.idle) idle.splice(idle.indexOf(conn), 1);
      if (conn.pool === 'shared') {
        shared--;
        const next = waiting.shift();
        if (next !== undefined && !destroyed) next(open('shared'));
      }
    });
    return conn;
  }

  /** Ends the socket's current request with `err` (or the closed-early error). */
  function fail(conn: Conn, err: Error | undefined): void {
    const ex = conn.current;
    if (ex === undefined) return;
    conn.current = undefined;
    if (!ex.answered && conn.served > 0) ex.fail(new ConnectionLostError(`${NO_ANSWER}: the kept-alive connection was closed`, { cause: err }));
    else ex.fail(err ?? Object.assign(new Error(NO_ANSWER), { code: 'ECONNRESET' }));
  }

  /** After a complete answer: back to the pool, to a waiting request, or closed. */
  function release(conn: Conn, reusable: boolean): void {
    conn.current = undefined;
    conn.served++;
    if (!reusable || conn.pool === 'probe' || destroyed || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    const next = waiting.shift();
    if (next !== undefined) return next(conn);
    conn.idle = true;
    conn.socket.unref();
    idle.push(conn);
  }

  /** A socket for one request: an idle one, a new one, or (pool full) the next one released. */
  function acquire(pool: ConnectionPool, use: (conn: Conn) => void): void {
    if (pool === 'probe') return use(open('probe'));
    for (let conn = idle.pop(); conn !== undefined; conn = idle.pop()) {
      conn.idle = false;
      if (conn.socket.destroyed || !conn.socket.writable) continue;
      conn.socket.ref();
      return use(conn);
    }
    if (shared < options.maxSockets) return use(open('shared'));
    waiting.push(use);
  }

  function head(method: string, path: string, accept: string, payload: string | undefined, contentType: string | undefined, authorization: string | undefined, pool: ConnectionPool): string {
    if (/[\s]/.test(path)) throw new TypeError(`the request path "${path.slice(0, 200)}" contains a space or line break`);
    let text = `${method} ${path} HTTP/1.1\r\n${fixedLines}accept: ${accept}\r\n`;
    if (authorization !== undefined) text += `authorization: ${lineSafe('authorization', authorization)}\r\n`;
    if (payload !== undefined) text += `content-type: ${lineSafe('content-type', contentType ?? 'application/json')}\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
    if (pool === 'probe') text += 'connection: close\r\n';
    return `${text}\r\n`;
  }

  /** Writes the request on a socket and hands its answer to `ex`. */
  function send(conn: Conn, text: string, payload: string | undefined, ex: Exchange): void {
    conn.current = ex;
    conn.parser.expect(ex);
    conn.socket.write(payload === undefined ? text : text + payload);
  }

  function prepare(req: TransportRequest, accept: string, pool: ConnectionPool, go: (text: string, payload: string | undefined) => void, reject: (err: unknown) => void): void {
    if (destroyed) return reject(new Error('the transport was closed'));
    const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const path = cluster.pathPrefix + buildPath(req.path, req.query, cluster.queryStrings);
    const build = (authorization: string | undefined): void => {
      let text: string;
      try {
        text = head(req.method, path, accept, payload, req.contentType, authorization, pool);
      } catch (err) {
        return reject(err);
      }
      go(text, payload);
    };
    // a static Authorization is among the fixed lines; only an expiring credential is asked for
    const current = cluster.credentials?.authorization();
    if (current instanceof Promise) current.then(build, reject);
    else build(current);
  }

  return {
    exchange(req: TransportRequest, accept: string, call: Call): Promise<Reply> {
      return new Promise<Reply>((resolve, reject) => {
        prepare(
          req,
          accept,
          'shared',
          (text, payload) =>
            acquire('shared', (conn) => {
              if (call.aborted) {
                release(conn, true);
                return reject(call.reason);
              }
              let status = 0;
              let headers: IncomingHttpHeaders = {};
              let first: Buffer | undefined;
              let more: Buffer[] | undefined;
              const ex: Exchange = {
                answered: false,
                head(s, h) {
                  status = s;
                  headers = h;
                },
                body(chunk) {
                  if (first === undefined) first = chunk;
                  else (more ??= [first]).push(chunk);
                },
                end(reusable) {
                  call.release();
                  const body = more ? Buffer.concat(more).toString('utf8') : first === undefined ? '' : first.toString('utf8');
                  first = more = undefined;
                  release(conn, reusable);
                  resolve({ status, headers, text: body });
                },
                fail(err) {
                  call.release();
                  reject(call.aborted ? call.reason : err);
                },
              };
              call.attach(conn.socket);
              send(conn, text, payload, ex);
            }),
          reject,
        );
      });
    },

    open(req: TransportRequest, accept: string, signal: AbortSignal, pool: ConnectionPool = 'shared'): Promise<Answer> {
      return new Promise<Answer>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        prepare(
          req,
          accept,
          pool,
          (text, payload) =>
            acquire(pool, (conn) => {
              const socket = conn.socket;
              const onAbort = (): void => void socket.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
              if (signal.aborted) {
                release(conn, true);
                return reject(signal.reason);
              }
              signal.addEventListener('abort', onAbort, { once: true });
              let body: Readable | undefined;
              let done = false;
              const ex: Exchange = {
                answered: false,
                head(status, headers) {
                  body = new Readable({
                    read: () => void socket.resume(),
                    destroy: (err, cb) => {
                      signal.removeEventListener('abort', onAbort);
                      // a body dropped before its end takes the socket with it (the rest would be unread)
                      if (!done) socket.destroy();
                      cb(err);
                    },
                  });
                  resolve({ status, headers, body });
                },
                body(chunk) {
                  if (body !== undefined && !body.push(chunk)) socket.pause();
                },
                end(reusable) {
                  done = true;
                  signal.removeEventListener('abort', onAbort);
                  release(conn, reusable);
                  body?.push(null);
                },
                fail(err) {
                  signal.removeEventListener('abort', onAbort);
                  const reason = signal.aborted ? signal.reason : err;
                  if (body === undefined) reject(reason);
                  else body.destroy(reason instanceof Error ? reason : err);
                },
              };
              send(conn, text, payload, ex);
            }),
          reject,
        );
      });
    },

    flush() {
      for (const conn of idle.splice(0)) {
        conn.idle = false;
        conn.socket.destroy();
      }
    },

    destroy() {
      destroyed = true;
      waiting.length = 0;
      for (const conn of all) conn.socket.destroy();
    },
  };
}
