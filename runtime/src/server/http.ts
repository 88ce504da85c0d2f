import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpkitError } from '../errors/opkit-error.js';

/** A parsed bind address; `undefined` means "disabled". */
export interface BindAddress {
  /** Interface to listen on; `undefined` = all interfaces. */
  readonly host: string | undefined;
  /** TCP port; 0 = an ephemeral port (read it back from {@link HttpEndpoint.address}). */
  readonly port: number;
}

/** Why an endpoint could not serve: `InvalidBindAddress`, or `ListenFailed` (port in use…). */
export type ServerErrorReason = 'InvalidBindAddress' | 'ListenFailed';

/** An error of the HTTP endpoints. Not retryable. */
export class ServerError extends OpkitError {
  declare readonly reason: ServerErrorReason;

  constructor(options: { reason: ServerErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}

/**
 * Parses a controller-runtime bind address: `':8080'` (all interfaces), `'127.0.0.1:8080'`,
 * `'[::1]:8080'`, `':0'` (ephemeral port); `'0'` or `''` disables the endpoint (`undefined`).
 * @throws {ServerError} `InvalidBindAddress`.
 */
export function parseBindAddress(address: string): BindAddress | undefined {
  if (address === '0' || address === '') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || !(port >= 0 && port <= 65535)) {
    throw new ServerError({ reason: 'InvalidBindAddress', message: `invalid bind address ${JSON.stringify(address)}: use "host:port", ":port", or "0" to disable` });
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

/** Answers one request; the path has no query string. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void | Promise<void>;

/**
 * A small HTTP server for operational endpoints (`/metrics`, `/healthz`, `/readyz`): exact paths
 * and path prefixes (a route ending in `/` matches below it); anything else is 404; only GET/HEAD.
 *
 * Guarantees: `listen()` resolves once bound (with the real port for port 0); `close()` stops
 * accepting, ends idle keep-alive connections and resolves when the server is closed; a handler
 * that throws answers 500, never crashes the process.
 */
export class HttpEndpoint {
  readonly #bind: BindAddress;
  readonly #routes: ReadonlyMap<string, RouteHandler>;
  #server: Server | undefined;

  constructor(options: { bind: BindAddress; routes: ReadonlyMap<string, RouteHandler> }) {
    this.#bind = options.bind;
    this.#routes = options.routes;
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    const a = this.#server?.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  /** @throws {ServerError} `ListenFailed`. */
  async listen(): Promise<AddressInfo> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error): void => {
        reject(new ServerError({ reason: 'ListenFailed', message: `cannot listen on ${this.#bind.host ?? ''}:${this.#bind.port}: ${cause.message}`, cause }));
      };
      server.once('error', onError);
      server.listen(this.#bind.port, this.#bind.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = this.address();
    if (!address) throw new ServerError({ reason: 'ListenFailed', message: 'the server has no TCP address' });
    return address;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
      let handler = this.#routes.get(url.pathname);
      if (handler === undefined) {
        for (const [path, h] of this.#routes) if (path.endsWith('/') && url.pathname.startsWith(path)) handler = h;
      }
      if (handler === undefined) return send(res, 404, 'not found\n');
      await handler(req, res, url.searchParams);
    } catch (err) {
      if (!res.headersSent) send(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    }
  }
}

/** Writes a plain-text answer. */
export function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff' });
  res.end(body);
}
