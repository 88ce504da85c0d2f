import { createServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import type { CredentialSource } from '../../../runtime/src/client/rest-config.js';
import { createTransport, type TransportOptions } from '../../../runtime/src/client/transport.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { TcpFaultProxy } from '../../support/fault-proxy.js';
import { untilIo as io } from '../../support/poll.js';

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/**
 * A loopback HTTP/2 (cleartext) server behind a TCP fault proxy, and an HTTP/2 transport to it on
 * a fake clock.
 */
async function setup(handler: Handler, options: TransportOptions & { credentials?: CredentialSource; headers?: Record<string, string> } = {}) {
  const sessions = new Set<ServerHttp2Session>();
  const opened = { sessions: 0 };
  const seen: Array<{ path: string; method: string; headers: Http2ServerRequest['headers'] }> = [];
  const server: Http2Server = createServer((req, res) => {
    seen.push({ path: req.url, method: req.method, headers: req.headers });
    handler(req, res);
  });
  const withStreams = new WeakSet<ServerHttp2Session>();
  server.on('stream', (stream) => {
    // connections that carried a request (the /readyz probes' HTTP/1.1 connections never do)
    if (!withStreams.has(stream.session as ServerHttp2Session)) opened.sessions++;
    withStreams.add(stream.session as ServerHttp2Session);
  });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = await TcpFaultProxy.start(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const clock = new FakeClock({ start: 1_000_000 });
  const { credentials, headers, ...rest } = options;
  const transport = createTransport(
    { server: proxy.url.replace('https:', 'http:'), ...(headers ? { headers } : {}), ...(credentials ? { credentials } : {}) },
    { protocol: 'http2', clock, health: { probeIntervalMs: 60_000 }, ...rest },
  );
  cleanups.push(async () => {
    transport.close();
    for (const s of sessions) s.destroy();
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { clock, transport, sessions, seen, proxy, opened };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const json = (res: Http2ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('HTTP/2 transport (real loopback server, fake clock)', () => {
  it('multiplexes concurrent requests and a watch over one connection, with the prepared headers and query', async () => {
    const t = await setup(
      (req, res) => {
        if (req.url.startsWith('/watch')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"type":"ADDED"}\n{"type":');
          res.end('"MODIFIED"}\n');
          return;
        }
        json(res, 200, { path: req.url });
      },
      { headers: { Authorization: 'Bearer static' }, userAgent: 'test-agent' },
    );
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => t.transport.request<{ path: string }>({ method: 'GET', path: `/api/v1/x${i}`, query: { labelSelector: 'a=b,c', limit: 5, skip: undefined } })));
    expect(answers[3]?.path).toBe('/api/v1/x3?labelSelector=a%3Db%2Cc&limit=5');
    const lines: string[] = [];
    for await (const line of t.transport.stream({ method: 'GET', path: '/watch' })) lines.push(line);
    expect(lines).toEqual(['{"type":"ADDED"}', '{"type":"MODIFIED"}']);
    expect(t.opened.sessions).toBe(1);
    expect(t.seen[0]?.headers['authorization']).toBe('Bearer static');
    expect(t.seen[0]?.headers['user-agent']).toBe('test-agent');
  });

  it('asks a credential source on every request and tells it to refresh after a 401', async () => {
    let n = 0;
    let invalidated = 0;
    const credentials: CredentialSource = {
      authorization: () => Promise.resolve(`Bearer t${++n}`),
      invalidate: () => void invalidated++,
    };
    const t = await setup((req, res) => (req.headers['authorization'] === 'Bearer t1' ? json(res, 401, { kind: 'Status', code: 401, reason: 'Unauthorized' }) : json(res, 200, {})), { credentials });
    const err = await t.transport.request({ method: 'GET', path: '/a' }).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(401);
    expect(invalidated).toBe(1);
    await t.transport.request({ method: 'GET', path: '/a' });
    expect(t.seen.map((s) => s.headers['authorization'])).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('finds a dead connection by an unanswered PING, sends an in-flight GET again on a new connection and fails an in-flight POST as retryable', async () => {
    let hang = true;
    const t = await setup((req, res) => {
      if (hang) return; // no answer: the request waits while the connection dies
      json(res, 200, { method: req.method });
    });
    const get = t.transport.request<{ method: string }>({ method: 'GET', path: '/get', timeoutMs: 60_000 });
    const post = t.transport.request({ method: 'POST', path: '/post', body: { a: 1 }, timeoutMs: 60_000 }).catch((e: unknown) => e);
    await io(() => t.seen.some((s) => s.path === '/get') && t.seen.some((s) => s.path === '/post'));
    t.proxy.freezeOpen();
    hang = false;
    await t.clock.advance(3000); // the PING goes out on the frozen connection
    await t.clock.advance(4999);
    expect(t.opened.sessions).toBe(1);
    await t.clock.advance(1); // no PONG within 5 s: replaced
    const postErr = (await post) as ApiError;
    expect(postErr).toBeInstanceOf(ApiError);
    expect(postErr.reason).toBe('Transport');
    expect(postErr.retryable).toBe(true);
    expect(await get).toEqual({ method: 'GET' });
    expect(t.opened.sessions).toBe(2);
  }, 20_000);

  it('on GOAWAY lets the request in flight finish and sends the next one on a new connection', async () => {
    let release: (() => void) | undefined;
    const t = await setup((req, res) => {
      if (req.url === '/slow') {
        release = () => json(res, 200, { slow: true });
        return;
      }
      json(res, 200, {});
    });
    const slow = t.transport.request({ method: 'GET', path: '/slow' });
    await io(() => release !== undefined);
    for (const s of t.sessions) s.goaway();
    await new Promise((r) => setTimeout(r, 20));
    await t.transport.request({ method: 'GET', path: '/after' });
    expect(t.opened.sessions).toBe(2);
    release?.();
    expect(await slow).toEqual({ slow: true });
  });

  it('a request without an answer rejects at its deadline with a typed Timeout while the connection stays in use', async () => {
    const t = await setup((req, res) => {
      if (req.url === '/never') return;
      json(res, 200, {});
    });
    const pending = t.transport.request({ method: 'GET', path: '/never', timeoutMs: 2000 }).catch((e: unknown) => e);
    await io(() => t.seen.some((s) => s.path === '/never'));
    await t.clock.advance(2000);
    const err = (await pending) as ApiError;
    expect(err.reason).toBe('Timeout');
    await t.transport.request({ method: 'GET', path: '/fine' });
    expect(t.opened.sessions).toBe(1);
  });

  it("a caller's signal ends its request in flight: rejects without a Timeout, resets the stream, and the connection serves the next request", async () => {
    const closed: string[] = [];
    const t = await setup((req, res) => {
      if (req.url === '/held') {
        req.stream.on('close', () => closed.push(req.url));
        return;
      }
      json(res, 200, {});
    });
    const caller = new AbortController();
    const pending = t.transport.request({ method: 'GET', path: '/held', signal: caller.signal }).catch((e: unknown) => e);
    await io(() => t.seen.some((s) => s.path === '/held'));
    caller.abort(new Error('reconcile cancelled'));
    const err = (await pending) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.reason).not.toBe('Timeout');
    expect((err.cause as Error).message).toBe('reconcile cancelled');
    await io(() => closed.length === 1);
    expect(t.transport.health?.state).toBe('healthy');
    await t.transport.request({ method: 'GET', path: '/next' });
    expect(t.opened.sessions).toBe(1);
  });
});
