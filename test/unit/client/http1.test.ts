import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import type { CredentialSource } from '../../../runtime/src/client/rest-config.js';
import { createTransport, type TransportOptions } from '../../../runtime/src/client/transport.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { untilIo as io } from '../../support/poll.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP/1.1 server that counts its connections, and an HTTP/1.1 transport to it on a fake clock. */
async function setup(handler: Handler, options: TransportOptions & { credentials?: CredentialSource; headers?: Record<string, string> } = {}) {
  const sockets = new Set<Socket>();
  const counts = { connections: 0, open: 0, maxOpen: 0 };
  const seen: Array<{ path: string; method: string; headers: IncomingMessage['headers']; body: string; socket: Socket }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers, body, socket: req.socket });
      handler(req, res);
    });
  });
  server.on('connection', (socket) => {
    counts.connections++;
    counts.open++;
    counts.maxOpen = Math.max(counts.maxOpen, counts.open);
    sockets.add(socket);
    socket.on('close', () => {
      counts.open--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const clock = new FakeClock({ start: 1_000_000 });
  const { credentials, headers, ...rest } = options;
  const transport = createTransport(
    { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...(headers ? { headers } : {}), ...(credentials ? { credentials } : {}) },
    { protocol: 'http1', clock, health: { probeIntervalMs: 60_000 }, ...rest },
  );
  cleanups.push(async () => {
    transport.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { clock, transport, sockets, seen, counts };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('HTTP/1.1 transport (real loopback server, fake clock)', () => {
  it('keeps one connection alive for requests in turn, sends the prepared headers, body and query, and parses the answers', async () => {
    const t = await setup((req, res) => json(res, 200, { path: req.url, n: t.seen.length }), { headers: { Authorization: 'Bearer static' }, userAgent: 'test-agent' });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await t.transport.request<{ path: string }>({ method: 'GET', path: '/api/v1/pods', query: { limit: 2, labelSelector: 'a=b c', x: undefined } }));
    const patched = await t.transport.request<{ path: string }>({ method: 'PATCH', path: '/api/v1/x', body: { metadata: { labels: { é: '€' } } }, contentType: 'application/merge-patch+json' });
    expect(answers.map((a) => a.path)).toEqual(Array(5).fill('/api/v1/pods?limit=2&labelSelector=a%3Db%20c'));
    expect(patched.path).toBe('/api/v1/x');
    expect(t.counts.connections).toBe(1);
    const last = t.seen.at(-1);
    expect(last?.headers).toMatchObject({ authorization: 'Bearer static', 'user-agent': 'test-agent', accept: 'application/json', 'content-type': 'application/merge-patch+json', 'content-length': String(Buffer.byteLength('{"metadata":{"labels":{"é":"€"}}}')) });
    expect(last?.body).toBe('{"metadata":{"labels":{"é":"€"}}}');
  });

  it('opens at most maxSockets connections; more requests wait for one and all are answered', async () => {
    const held: ServerResponse[] = [];
    const t = await setup((_req, res) => void held.push(res), { maxSockets: 2 });
    const calls = Array.from({ length: 5 }, (_, i) => t.transport.request<{ i: number }>({ method: 'GET', path: `/p/${i}` }));
    await io(() => held.length === 2);
    expect(t.counts.maxOpen).toBe(2);
    const answered: number[] = [];
    while (answered.length < 5) {
      await io(() => held.length > 0);
      const res = held.shift() as ServerResponse;
      json(res, 200, { i: Number(res.req.url?.slice(3)) });
      answered.push(0);
    }
    expect((await Promise.all(calls)).map((a) => a.i).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(t.counts.maxOpen).toBe(2);
  });

  it('a kept-alive connection the server closed is replaced: the next request gets its answer', async () => {
    const t = await setup((_req, res) => json(res, 200, { ok: true }));
    await t.transport.request({ method: 'GET', path: '/a' });
    const first = t.seen[0]?.socket;
    first?.destroy();
    await io(() => t.counts.open === 0);
    // (whether or not the pool has seen the close yet: a GET that meets it is sent again)
    await expect(t.transport.request({ method: 'GET', path: '/b' })).resolves.toEqual({ ok: true });
    expect(t.counts.connections).toBe(2);
  });

  it('a GET on a kept-alive connection that dies before any byte of the answer is sent again on a new one', async () => {
    let n = 0;
    const t = await setup((req, res) => {
      // the second request's connection is closed without an answer, as a server closing an idle connection does
      if (++n === 2) return void req.socket.destroy();
      json(res, 200, { n });
    });
    await t.transport.request({ method: 'GET', path: '/a' });
    await expect(t.transport.request<{ n: number }>({ method: 'GET', path: '/b' })).resolves.toEqual({ n: 3 });
    expect(t.seen.map((s) => s.path)).toEqual(['/a', '/b', '/b']);
  });

  it('streams a chunked answer as it arrives; destroying the stream closes its connection', async () => {
    let watch: ServerResponse | undefined;
    const t = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED"}\n{"type":');
      watch = res;
    });
    const lines: string[] = [];
    const abort = new AbortController();
    const done = (async () => {
      for await (const line of t.transport.stream({ method: 'GET', path: '/watch', signal: abort.signal })) lines.push(line);
    })().catch((err: unknown) => err);
    await io(() => lines.length === 1);
    watch?.write('"MODIFIED"}\n');
    await io(() => lines.length === 2);
    expect(lines).toEqual(['{"type":"ADDED"}', '{"type":"MODIFIED"}']);
    abort.abort(new Error('stopped'));
    await done;
    await io(() => t.counts.open === 0);
  });

  it('a request without an answer rejects at its deadline with a typed Timeout and its connection is closed', async () => {
    const t = await setup(() => undefined, { requestTimeoutMs: 2000 });
    const pending = t.transport.request({ method: 'GET', path: '/never' }).catch((err: unknown) => err);
    await io(() => t.seen.length === 1);
    t.clock.advance(2000);
    const err = await pending;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).reason).toBe('Timeout');
    // (the health probe that a request without an answer starts may hold a connection of its own)
    await io(() => t.seen[0]?.socket.destroyed === true);
  });

  it('asks a credential source on every request', async () => {
    let n = 0;
    const credentials: CredentialSource = { authorization: () => Promise.resolve(`Bearer t${++n}`), invalidate: () => undefined };
    const t = await setup((_req, res) => json(res, 200, {}), { credentials });
    await t.transport.request({ method: 'GET', path: '/a' });
    await t.transport.request({ method: 'GET', path: '/b' });
    expect(t.seen.map((s) => s.headers['authorization'])).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('refuses a path with a space or line break, and a credential with a line break, before anything is sent', async () => {
    const credentials: CredentialSource = { authorization: () => 'Bearer a\r\nx-injected: 1', invalidate: () => undefined };
    const t = await setup((_req, res) => json(res, 200, {}));
    await expect(t.transport.request({ method: 'GET', path: '/a b' })).rejects.toThrow(/contains a space or line break/);
    const t2 = await setup((_req, res) => json(res, 200, {}), { credentials });
    await expect(t2.transport.request({ method: 'GET', path: '/a' })).rejects.toThrow(/authorization header contains a line break/);
    expect(t.seen.length + t2.seen.length).toBe(0);
  });

  it('flush closes the idle kept-alive connections', async () => {
    const t = await setup((_req, res) => json(res, 200, {}));
    await Promise.all([t.transport.request({ method: 'GET', path: '/a' }), t.transport.request({ method: 'GET', path: '/b' })]);
    await io(() => t.counts.open === 2);
    t.transport.flush?.();
    await io(() => t.counts.open === 0);
  });
});
