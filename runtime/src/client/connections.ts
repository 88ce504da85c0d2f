import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Answer, ConnectionPool, Connections } from './connection-types.js';
import { buildPath, requestHeaders, type PreparedCluster } from './prepared.js';

/** Options of {@link createHttp1Connections}. */
export interface Http1Options {
  /** Maximum concurrent sockets of the shared pool. */
  readonly maxSockets: number;
}

/**
 * Keep-alive HTTP/1.1 connections to one API server.
 *
 * Guarantees: the agents (with the TLS material) are made once, here; credentials that expire are
 * asked for on every request; probe connections never enter the pool.
 */
export function createHttp1Connections(cluster: PreparedCluster, options: Http1Options): Connections {
  const { secure } = cluster;
  const make = (keepAlive: boolean): Agent | HttpAgent =>
    secure ? new Agent({ keepAlive, ...(keepAlive ? { maxSockets: options.maxSockets } : {}), ...cluster.tls }) : new HttpAgent({ keepAlive, ...(keepAlive ? { maxSockets: options.maxSockets } : {}) });
  const agents: Record<ConnectionPool, Agent | HttpAgent> = { shared: make(true), probe: make(false) };
  const send = secure ? httpsRequest : httpRequest;
  const { hostname, port } = cluster.base;

  return {
    async open(req, accept, signal, pool = 'shared') {
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers = await requestHeaders(cluster, accept, payload, req.contentType);
      const target: RequestOptions = {
        hostname,
        port,
        path: cluster.pathPrefix + buildPath(req.path, req.query),
        method: req.method,
        headers,
        agent: agents[pool],
        signal,
      };
      return new Promise<Answer>((resolve, reject) => {
        const r = send(target, (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
        r.on('error', reject);
        r.end(payload);
      });
    },
    flush() {
      for (const sockets of Object.values(agents.shared.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    },
    destroy() {
      agents.shared.destroy();
      agents.probe.destroy();
    },
  };
}
