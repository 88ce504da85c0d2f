import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Query, TransportRequest } from './transport.js';

/** Which connections a request uses: the shared keep-alive pool, or a fresh one that is closed after (probes). */
export type ConnectionPool = 'shared' | 'probe';

/** The HTTP connections of one transport. */
export interface Connections {
  /** Sends `req` and resolves with the answer's head; aborting `signal` destroys its connection. */
  open(req: TransportRequest, accept: string, signal: AbortSignal, pool?: ConnectionPool): Promise<IncomingMessage>;
  /** Destroys every idle keep-alive connection of the shared pool. */
  flush(): void;
  /** Destroys every connection. */
  destroy(): void;
}

function buildPath(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Keep-alive HTTP(S) connections to one API server, authenticated from a client-node KubeConfig.
 *
 * Guarantees: credentials are re-applied on every request (rotating tokens keep working); TLS
 * material is read once, when the first connection is made; probe connections never enter the pool.
 */
export function createConnections(kubeConfig: KubeConfig, base: URL, options: { maxSockets: number; userAgent: string }): Connections {
  const secure = base.protocol === 'https:';
  const agents: Partial<Record<ConnectionPool, Agent | HttpAgent>> = {};

  function agentFor(pool: ConnectionPool, opts: RequestOptions): Agent | HttpAgent {
    const existing = agents[pool];
    if (existing) return existing;
    const common = pool === 'probe' ? { keepAlive: false } : { keepAlive: true, maxSockets: options.maxSockets };
    const tls = {
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.cert ? { cert: opts.cert } : {}),
      ...(opts.key ? { key: opts.key } : {}),
      ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
      ...(opts.servername ? { servername: opts.servername } : {}),
    };
    return (agents[pool] = secure ? new Agent({ ...common, ...tls }) : new HttpAgent(common));
  }

  return {
    async open(req, accept, signal, pool = 'shared') {
      const opts: RequestOptions = { headers: {} };
      await kubeConfig.applyToHTTPSOptions(opts);
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string>), accept, 'user-agent': options.userAgent };
      if (payload !== undefined) {
        headers['content-type'] = req.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const target = {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        path: base.pathname.replace(/\/$/, '') + buildPath(req.path, req.query),
        method: req.method,
        headers,
        agent: agentFor(pool, opts),
        signal,
        ...(opts.auth ? { auth: opts.auth } : {}),
      };
      return new Promise((resolve, reject) => {
        const r = secure ? request(target as RequestOptions, resolve) : httpRequest(target, resolve);
        r.on('error', reject);
        r.end(payload);
      });
    },
    flush() {
      const shared = agents.shared;
      if (!shared) return;
      for (const sockets of Object.values(shared.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    },
    destroy() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}
