import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type TransportOptions } from '../../../runtime/src/client/transport.js';
import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';
import { untilIo as io } from '../../support/poll.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server (real sockets) and a transport to it on a fake clock. */
async function setup(handler: Handler, options: TransportOptions = {}) {
  const sockets = new Set<Socket>();
  const arrivals: Array<{ path: string; at: number; closed: boolean }> = [];
  const clock = new FakeClock({ start: 1_000_000 });
  const server: Server = createServer((req, res) => {
    const arrival = { path: req.url ?? '', at: clock.now(), closed: false };
    arrivals.push(arrival);
    req.socket.on('close', () => (arrival.closed = true));
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const transport = createTransport(kc, { clock, health: { probeIntervalMs: 60_000 }, ...options });
  cleanups.push(async () => {
    transport.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { clock, transport, sockets, arrivals };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('transport deadlines (real loopback server, fake clock)', () => {
  it('rejects a request the server never answers at its default 30 s deadline with a typed Timeout, and destroys its connection', async () => {
    const t = await setup(() => undefined);
    const pending = rejection(t.transport.request({ method: 'GET', path: '/api/v1/namespaces/a/configmaps/x' }));
    await io(() => t.arrivals.length === 1);
    await t.clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.arrivals[0]?.closed).toBe(false);
    await t.clock.advance(1);
    const err = await pending;
    expect(err.reason).toBe('Timeout');
    expect(err.status).toBe(0);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('no answer within 30000 ms');
    await io(() => t.arrivals[0]?.closed === true);
    // the failure made the transport probe the server's health on a connection of its own
    await io(() => t.arrivals.some((a) => a.path === '/readyz'));
  });

  it('honours a per-request deadline and flushes idle keep-alive connections when one passes', async () => {
    let n = 0;
    const t = await setup((req, res) => {
      if (n === 0 && req.url !== '/readyz') return json(res, 200, { ok: true });
    });
    // two concurrent requests leave two idle keep-alive connections in the pool
    await Promise.all([t.transport.request({ method: 'GET', path: '/a' }), t.transport.request({ method: 'GET', path: '/a2' })]);
    n = 1;
    const idle = t.arrivals.filter((a) => a.path !== '/b');
    expect(idle.map((a) => a.closed)).toEqual([false, false]);
    const hanging = rejection(t.transport.request({ method: 'GET', path: '/b', timeoutMs: 500 }));
    await io(() => t.arrivals.some((a) => a.path === '/b'));
    await t.clock.advance(500);
    expect((await hanging).reason).toBe('Timeout');
    // the hanging connection and its idle peer are gone
    await io(() => t.arrivals.filter((a) => a.path !== '/readyz').every((a) => a.closed));
  });
});

describe('transport answers (real loopback server, fake clock)', () => {
  it('turns a malformed JSON body into a typed MalformedBody error with the first bytes of the body', async () => {
    const t = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"ConfigMap", <html>proxy error</html>' + 'x'.repeat(500));
    });
    const err = await rejection(t.transport.request({ method: 'GET', path: '/api/v1/configmaps' }));
    expect(err.reason).toBe('MalformedBody');
    expect(err.status).toBe(200);
    expect(err.retryable).toBe(true);
    expect(err.bodyPrefix).toBe(('{"kind":"ConfigMap", <html>proxy error</html>' + 'x'.repeat(500)).slice(0, 200));
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('gives errors the status, reason, headers, Retry-After and API Priority and Fairness UIDs', async () => {
    const t = await setup((_req, res) =>
      json(res, 404, { kind: 'Status', reason: 'NotFound', code: 404, message: 'nope' }, { 'x-kubernetes-pf-flowschema-uid': 'fs-1', 'x-kubernetes-pf-prioritylevel-uid': 'pl-1' }),
    );
    const err = await rejection(t.transport.request({ method: 'GET', path: '/x' }));
    expect([err.status, err.reason, err.flowSchemaUid, err.priorityLevelUid, err.retryAfterMs]).toEqual([404, 'NotFound', 'fs-1', 'pl-1', undefined]);
    expect(err.headers?.['content-type']).toBe('application/json');
  });

  it('after a 429 with Retry-After: 3 sends nothing to that path for 3 s — neither its own retry nor another caller — then retries', async () => {
    let first = true;
    const t = await setup((req, res) => {
      if (req.url === '/p' && first) {
        first = false;
        return json(res, 429, { kind: 'Status', reason: 'TooManyRequests', code: 429 }, { 'retry-after': '3' });
      }
      json(res, 200, { path: req.url });
    });
    const a = t.transport.request<{ path: string }>({ method: 'GET', path: '/p' });
    await io(() => t.arrivals.length === 1);
    await flushMicrotasks();
    await io(() => t.clock.pendingTimers > 0);
    const b = t.transport.request<{ path: string }>({ method: 'GET', path: '/p' });
    const other = await t.transport.request<{ path: string }>({ method: 'GET', path: '/q' });
    expect(other.path).toBe('/q');
    await t.clock.advance(2999);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.arrivals.filter((r) => r.path === '/p')).toHaveLength(1);
    await t.clock.advance(1);
    expect(await a).toEqual({ path: '/p' });
    expect(await b).toEqual({ path: '/p' });
    const p = t.arrivals.filter((r) => r.path === '/p');
    expect(p.map((r) => r.at - (p[0]?.at ?? 0))).toEqual([0, 3000, 3000]);
  });

  it('gives up after retryAfterRetries and rejects with retryAfterMs set', async () => {
    const t = await setup((_req, res) => json(res, 503, { kind: 'Status', code: 503 }, { 'retry-after': '1' }), { retryAfterRetries: 0 });
    const err = await rejection(t.transport.request({ method: 'GET', path: '/p' }));
    expect([err.status, err.retryAfterMs, err.retryable]).toEqual([503, 1000, true]);
  });
});
