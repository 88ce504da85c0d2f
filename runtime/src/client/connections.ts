import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Answer, ConnectionPool, Connections, Reply } from './connection-types.js';
import type { Call } from './deadline.js';
import { buildPath, requestHeaders, withCredentials, type PreparedCluster } from './prepared.js';

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
  const request = secure ? httpsRequest : httpRequest;
  const { hostname, port } = cluster.base;

  function send(method: string, path: string, headers: Record<string, string | number>, payload: string | undefined, signal: AbortSignal, pool: ConnectionPool): Promise<Answer> {
    const target: RequestOptions = { hostname, port, path, method, headers, agent: agents[pool], signal };
    return new Promise<Answer>((resolve, reject) => {
      const r = request(target, (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      r.on('error', reject);
      r.end(payload);
    });
  }

  /** One request and its whole answer; the call destroys the request (and its socket) when aborted. */
  function exchangeOn(method: string, path: string, headers: Record<string, string | number>, payload: string | undefined, call: Call): Promise<Reply> {
    if (call.aborted) return Promise.reject(call.reason);
    const target: RequestOptions = { hostname, port, path, method, headers, agent: agents.shared };
    return new Promise<Reply>((resolve, reject) => {
      const r = request(target, (res: IncomingMessage) => {
        let first: Buffer | undefined;
        let more: Buffer[] | undefined;
        let ended = false;
        res.on('data', (chunk: Buffer) => {
          if (first === undefined) first = chunk;
          else (more ??= [first]).push(chunk);
        });
        res.once('end', () => {
          ended = true;
          const text = more ? Buffer.concat(more).toString('utf8') : first === undefined ? '' : first.toString('utf8');
          first = more = undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
        res.once('error', reject);
        res.once('close', () => {
          if (!ended) reject(new Error('the connection closed before the end of the answer'));
        });
      });
      call.attach(r);
      r.on('error', reject);
      r.end(payload);
    });
  }

  return {
    exchange(req, accept, call) {
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers = requestHeaders(cluster, accept, payload, req.contentType);
      const path = cluster.pathPrefix + buildPath(req.path, req.query, cluster.queryStrings);
      if (cluster.credentials) return withCredentials(cluster.credentials, headers).then((h) => exchangeOn(req.method, path, h, payload, call));
      return exchangeOn(req.method, path, headers, payload, call);
    },
    open(req, accept, signal, pool = 'shared') {
      const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      const headers = requestHeaders(cluster, accept, payload, req.contentType);
      const path = cluster.pathPrefix + buildPath(req.path, req.query, cluster.queryStrings);
      // no extra promise for static credentials: only an expiring one is awaited
      if (cluster.credentials) return withCredentials(cluster.credentials, headers).then((h) => send(req.method, path, h, payload, signal, pool));
      return send(req.method, path, headers, payload, signal, pool);
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
