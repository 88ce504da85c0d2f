import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** One proxied TCP connection: the client's socket and ours to the server. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Frozen for good (half-dead): `thaw()` leaves it frozen. */
  dead: boolean;
  frozen: boolean;
}

/** The same credentials as `kubeConfig`, pointed at another server URL. */
export function kubeConfigFor(kubeConfig: KubeConfig, server: string, options: { withCredentials?: boolean } = {}): KubeConfig {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster || !user) throw new Error('the kubeconfig has no current cluster or user');
  const kc = new KubeConfig();
  const secure = server.startsWith('https:');
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'proxied', server, ...(secure ? {} : { caData: undefined, caFile: undefined, skipTLSVerify: true }) }],
    users: [options.withCredentials === false ? { name: 'anonymous' } : { ...user, name: 'proxied' }],
    contexts: [{ name: 'proxied', cluster: 'proxied', user: options.withCredentials === false ? 'anonymous' : 'proxied' }],
    currentContext: 'proxied',
  });
  return kc;
}

/**
 * A loopback TCP proxy in front of the API server that the test owns, for network faults the
 * client cannot tell from real ones (TLS passes through untouched):
 * - `freezeOpen()`: every connection open now passes no more bytes, for good, while new ones work
 *   (a NAT or load balancer that silently dropped its flows: half-dead connections);
 * - `freezeAll()` … `thaw()`: no connection, open or new, passes bytes until thawed (a partition);
 * - `refuse()` … `accept()`: new connections are reset at once;
 * - `resetAll()`: every open connection is reset.
 */
export class TcpFaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #freezeAll = false;
  #refuse = false;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => this.#accept(client, target));
  }

  /** Starts a proxy on a free loopback port in front of `server` (an `https://host:port` URL). */
  static async start(server: string): Promise<TcpFaultProxy> {
    const url = new URL(server);
    const proxy = new TcpFaultProxy({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `https://127.0.0.1:<port>`: point clients here. */
  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Connections open now. */
  get open(): number {
    return this.#pairs.size;
  }

  freezeOpen(): void {
    for (const pair of this.#pairs) {
      pair.dead = true;
      this.#setFrozen(pair, true);
    }
  }

  freezeAll(): void {
    this.#freezeAll = true;
    for (const pair of this.#pairs) this.#setFrozen(pair, true);
  }

  thaw(): void {
    this.#freezeAll = false;
    for (const pair of this.#pairs) if (!pair.dead) this.#setFrozen(pair, false);
  }

  refuse(): void {
    this.#refuse = true;
  }

  accept(): void {
    this.#refuse = false;
  }

  resetAll(): void {
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    if (this.#refuse) {
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, dead: false, frozen: false };
    this.#pairs.add(pair);
    // No pipe(): a paused socket must stay paused (pipe resumes its source on drain).
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    const end = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    if (this.#freezeAll) this.#setFrozen(pair, true);
  }

  #setFrozen(pair: Pair, frozen: boolean): void {
    pair.frozen = frozen;
    if (frozen) {
      pair.client.pause();
      pair.upstream.pause();
    } else {
      pair.client.resume();
      pair.upstream.resume();
    }
  }
}

/** A request the {@link HttpFaultProxy} saw. */
export interface ProxiedRequest {
  readonly method: string;
  /** The path without its query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** `performance.now()` when it arrived. */
  readonly at: number;
  /** The status the proxy answered itself, when it injected one. */
  readonly injected: number | undefined;
}

/** An answer the {@link HttpFaultProxy} gives instead of forwarding. */
export interface Injection {
  /** Requests this matches (method, path, query). */
  readonly match: (req: { method: string; path: string; query: URLSearchParams }) => boolean;
  readonly status: number;
  /** `Retry-After` header, in seconds (none when undefined). */
  readonly retryAfterSeconds?: number;
  /** How many matching requests get it (default 1). */
  times?: number;
}

/**
 * A plain-HTTP front for the API server that can answer chosen requests itself (a 429 with
 * `Retry-After` on a path, say) and forwards everything else, watches included, over TLS with
 * the test's admin credentials. Every request is logged with its arrival time, so a test can check
 * what a client sent and when.
 *
 * Caveats: the client talks plain HTTP to it without credentials (the proxy authenticates
 * upstream); TCP-level faults are {@link TcpFaultProxy}'s job.
 */
export class HttpFaultProxy {
  readonly log: ProxiedRequest[] = [];
  readonly #server: HttpServer;
  readonly #injections: Injection[] = [];
  readonly #upstream: URL;
  readonly #tls: Pick<RequestOptions, 'ca' | 'cert' | 'key'>;

  private constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    const user = kubeConfig.getCurrentUser();
    if (!cluster?.caData || !user?.certData || !user.keyData) throw new Error('HttpFaultProxy needs a kubeconfig with inline CA, client certificate and key');
    const b64 = (s: string): string => Buffer.from(s, 'base64').toString();
    this.#upstream = new URL(cluster.server);
    this.#tls = { ca: b64(cluster.caData), cert: b64(user.certData), key: b64(user.keyData) };
    this.#server = createHttpServer((req, res) => this.#handle(req, res));
  }

  /** Starts a front for the server of `kubeConfig` (its inline admin credentials are used upstream). */
  static async start(kubeConfig: KubeConfig): Promise<HttpFaultProxy> {
    const proxy = new HttpFaultProxy(kubeConfig);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** A kubeconfig (no credentials) that points at this front. */
  kubeConfig(base: KubeConfig): KubeConfig {
    return kubeConfigFor(base, `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`, { withCredentials: false });
  }

  /** Answers the next `times` matching requests with `status` instead of forwarding them. */
  inject(injection: Injection): void {
    this.#injections.push({ ...injection, times: injection.times ?? 1 });
  }

  /** Logged requests matching `path` (and `method` when given). */
  requestsTo(path: string, method?: string): ProxiedRequest[] {
    return this.log.filter((r) => r.path === path && (method === undefined || r.method === method));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    const at = performance.now();
    const injection = this.#injections.find((i) => (i.times ?? 0) > 0 && i.match({ method, path: url.pathname, query: url.searchParams }));
    if (injection) {
      injection.times = (injection.times ?? 1) - 1;
      this.log.push({ method, path: url.pathname, query: url.searchParams, at, injected: injection.status });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (injection.retryAfterSeconds !== undefined) headers['retry-after'] = String(injection.retryAfterSeconds);
      res.writeHead(injection.status, headers);
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: injection.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', code: injection.status, message: 'injected by the test' }));
      req.resume();
      return;
    }
    this.log.push({ method, path: url.pathname, query: url.searchParams, at, injected: undefined });
    const upstream = httpsRequest(
      {
        ...this.#tls,
        hostname: this.#upstream.hostname,
        port: this.#upstream.port,
        method,
        path: req.url,
        headers: { ...req.headers, host: this.#upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
