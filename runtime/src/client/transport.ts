import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError, type StatusBody } from './errors.js';

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
}

/**
 * The HTTP layer under the client and the watcher: authentication from a client-node KubeConfig,
 * keep-alive connections, JSON in and out, API errors as {@link ApiError}.
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
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Maximum concurrent sockets to the API server (default 64). */
  readonly maxSockets?: number;
  /** User-Agent header (default `opkit`). */
  readonly userAgent?: string;
}

function buildPath(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Creates a {@link Transport} for the current context of `kubeConfig`.
 *
 * Guarantees: credentials are re-applied on every request, so rotating tokens (exec plugins,
 * token files) keep working; one keep-alive agent is shared by all requests.
 * Caveats: HTTP proxies configured in the kubeconfig are not supported.
 */
export function createTransport(kubeConfig: KubeConfig, options: TransportOptions = {}): Transport {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    throw new ApiError({ status: 0, method: 'INIT', path: '', text: 'the kubeconfig has no current cluster; set a current-context' });
  const base = new URL(cluster.server);
  const secure = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  let httpsAgent: Agent | undefined;
  const httpAgent = new HttpAgent(agentOptions);
  const userAgent = options.userAgent ?? 'opkit';

  async function open(req: TransportRequest, accept: string): Promise<IncomingMessage> {
    const opts: RequestOptions = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(opts);
    if (secure && !httpsAgent) {
      httpsAgent = new Agent({
        ...agentOptions,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
        ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
        ...(opts.servername ? { servername: opts.servername } : {}),
      });
    }
    const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string | number> = {
      ...(opts.headers as Record<string, string>),
      accept,
      'user-agent': userAgent,
    };
    if (payload !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const basePath = base.pathname.replace(/\/$/, '');
    const target = {
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port,
      path: basePath + buildPath(req.path, req.query),
      method: req.method,
      headers,
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    };
    return new Promise((resolve, reject) => {
      const r = secure ? request({ ...target, agent: httpsAgent }, resolve) : httpRequest({ ...target, agent: httpAgent }, resolve);
      r.on('error', (cause) => reject(new ApiError({ status: 0, method: req.method, path: req.path, cause })));
      r.end(payload);
    });
  }

  async function readBody(res: IncomingMessage): Promise<string> {
    res.setEncoding('utf8');
    let text = '';
    for await (const chunk of res) text += chunk as string;
    return text;
  }

  async function failure(req: TransportRequest, res: IncomingMessage): Promise<ApiError> {
    const text = await readBody(res).catch(() => '');
    let body: StatusBody | undefined;
    try {
      body = JSON.parse(text) as StatusBody;
    } catch {
      body = undefined;
    }
    return new ApiError({ status: res.statusCode ?? 0, method: req.method, path: req.path, ...(body ? { body } : { text }) });
  }

  return {
    async request<T>(req: TransportRequest): Promise<T> {
      const res = await open(req, 'application/json');
      if ((res.statusCode ?? 0) >= 400) throw await failure(req, res);
      let text: string;
      try {
        text = await readBody(res);
      } catch (cause) {
        throw new ApiError({ status: 0, method: req.method, path: req.path, cause });
      }
      return (text ? JSON.parse(text) : undefined) as T;
    },

    async *stream(req: TransportRequest): AsyncIterable<string> {
      const res = await open(req, 'application/json');
      if ((res.statusCode ?? 0) >= 400) throw await failure(req, res);
      res.setEncoding('utf8');
      let partial = '';
      try {
        for await (const chunk of res) {
          const lines = (partial + (chunk as string)).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') yield line;
        }
      } catch (cause) {
        if (req.signal?.aborted) return;
        throw new ApiError({ status: 0, method: req.method, path: req.path, cause });
      } finally {
        res.destroy();
      }
      if (partial.trim() !== '') yield partial;
    },

    close(): void {
      httpsAgent?.destroy();
      httpAgent.destroy();
    },
  };
}
