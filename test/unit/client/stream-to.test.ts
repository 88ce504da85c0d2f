import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type StreamFlow, type Transport, type TransportProtocol } from '../../../runtime/src/client/transport.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { untilIo as io } from '../../support/poll.js';

/** What the tests use of an HTTP/1.1 or HTTP/2 server response. */
interface Res {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string | Buffer): unknown;
  end(chunk?: string): unknown;
  on(event: 'close', listener: () => void): unknown;
}
type Handler = (req: IncomingMessage | Http2ServerRequest, res: Res) => void;

/** A loopback server (real sockets; HTTP/1.1 or cleartext HTTP/2) and a transport to it on a fake clock. */
async function setup(protocol: TransportProtocol, handler: Handler): Promise<{ transport: Transport; closed: () => number }> {
  let closed = 0;
  const onRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    const r = res as unknown as Res;
    r.on('close', () => closed++);
    handler(req, r);
  };
  const server = protocol === 'http2' ? createHttp2Server(onRequest) : createHttp1Server(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const transport = createTransport({ server: `http://127.0.0.1:${port}` }, { protocol, clock: new FakeClock({ start: 0 }), health: { probeIntervalMs: 60_000 } });
  cleanups.push(async () => {
    transport.close();
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
  return { transport, closed: () => closed };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const writeHead = (res: Res, status: number): void => void res.writeHead(status, { 'content-type': 'application/json' });

describe.each(['http1', 'http2'] as const)('Transport.streamTo over %s (real loopback server)', (protocol) => {
  it('pushes the body in order as whole characters, after open, and resolves at the end of the stream', async () => {
    const euro = Buffer.from('€');
    const { transport } = await setup(protocol, (_req, res) => {
      writeHead(res, 200);
      // a multi-byte character cut between two writes
      res.write(Buffer.concat([Buffer.from('{"a":"'), euro.subarray(0, 1)]));
      setTimeout(() => {
        res.write(Buffer.concat([euro.subarray(1), Buffer.from('"}\n{"b"')]));
        setTimeout(() => res.end(':2}\n'), 5);
      }, 5);
    });
    const seen: string[] = [];
    let opened = 0;
    await transport.streamTo?.(
      { method: 'GET', path: '/watch', onOpen: () => opened++ },
      {
        open: () => seen.push('open'),
        data: (text) => seen.push(text),
      },
    );
    expect(seen[0]).toBe('open');
    expect(opened).toBe(1);
    expect(seen.slice(1).join('')).toBe('{"a":"€"}\n{"b":2}\n');
    expect(seen.slice(1).every((chunk) => !chunk.includes('\uFFFD'))).toBe(true);
  });

  it('rejects with the ApiError of an error answer, without opening', async () => {
    const { transport } = await setup(protocol, (_req, res) => {
      writeHead(res, 410);
      res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
    });
    let opened = false;
    const err = await transport.streamTo?.({ method: 'GET', path: '/watch' }, { open: () => (opened = true), data: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(410);
    expect(opened).toBe(false);
  });

  it('resolves when the signal aborts, delivers nothing after it, and ends the request', async () => {
    let server: Res | undefined;
    const { transport, closed } = await setup(protocol, (_req, res) => {
      writeHead(res, 200);
      res.write('{"n":1}\n');
      server = res;
    });
    const ctl = new AbortController();
    const chunks: string[] = [];
    const done = transport.streamTo?.({ method: 'GET', path: '/watch', signal: ctl.signal }, { data: (t) => void chunks.push(t) });
    await io(() => chunks.length === 1);
    ctl.abort();
    server?.write('{"n":2}\n');
    await expect(done).resolves.toBeUndefined();
    expect(chunks).toEqual(['{"n":1}\n']);
    await io(() => closed() === 1);
  });

  it('rejects with what the sink threw, unchanged, and ends the request', async () => {
    const { transport, closed } = await setup(protocol, (_req, res) => {
      writeHead(res, 200);
      res.write('{"n":1}\n');
    });
    const boom = new Error('sink failed');
    const err = await transport
      .streamTo?.(
        { method: 'GET', path: '/watch' },
        {
          data: () => {
            throw boom;
          },
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBe(boom);
    await io(() => closed() === 1);
  });

  it('holds the body back while the sink has paused it', async () => {
    let server: Res | undefined;
    const { transport } = await setup(protocol, (_req, res) => {
      writeHead(res, 200);
      res.write('{"n":1}\n');
      server = res;
    });
    let flow: StreamFlow | undefined;
    const chunks: string[] = [];
    const done = transport.streamTo?.(
      { method: 'GET', path: '/watch' },
      {
        open: (f) => (flow = f),
        data: (t) => {
          if (chunks.push(t) === 1) flow?.pause();
        },
      },
    );
    await io(() => chunks.length === 1);
    server?.write('{"n":2}\n');
    // real I/O: give the second write time to arrive; a paused body does not hand it over
    await new Promise((r) => setTimeout(r, 50));
    expect(chunks).toEqual(['{"n":1}\n']);
    flow?.resume();
    await io(() => chunks.length === 2);
    server?.end();
    await done;
    expect(chunks.join('')).toBe('{"n":1}\n{"n":2}\n');
  });
});
