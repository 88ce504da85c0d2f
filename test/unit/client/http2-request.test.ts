import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { connect, createServer, type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bindDefinesAccessor, openStream } from '../../../runtime/src/client/http2-request.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function session(): Promise<ClientHttp2Session> {
  const server: Http2Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(async () => {
    s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return s;
}

function answer(stream: ReturnType<typeof openStream>, onResponse: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.once('response', onResponse);
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (text += c));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

describe('openStream: session.request without the deprecated AsyncResource accessor', () => {
  it('is needed on this Node: its AsyncResource.prototype.bind defines the deprecated asyncResource accessor', () => {
    expect(bindDefinesAccessor()).toBe(true);
  });

  it('answers like session.request, keeps the caller async context for the stream events, and restores AsyncResource.prototype.bind', async () => {
    const s = await session();
    const original = AsyncResource.prototype.bind;
    const als = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const texts = await als.run('reconcile-7', async () => {
      const lean = openStream(s, { ':path': '/lean' }, { endStream: true }, true);
      expect(AsyncResource.prototype.bind).toBe(original);
      const plain = openStream(s, { ':path': '/plain' }, { endStream: true }, false);
      return Promise.all([answer(lean, () => seen.push(als.getStore())), answer(plain, () => seen.push(als.getStore()))]);
    });
    expect(texts).toEqual(['/lean', '/plain']);
    expect(seen).toEqual(['reconcile-7', 'reconcile-7']);
    expect(AsyncResource.prototype.bind).toBe(original);
  });

  it('restores AsyncResource.prototype.bind when session.request throws (a destroyed session)', async () => {
    const s = await session();
    s.destroy();
    const original = AsyncResource.prototype.bind;
    expect(() => openStream(s, { ':path': '/x' }, { endStream: true }, true)).toThrow(/session/i);
    expect(AsyncResource.prototype.bind).toBe(original);
    expect(Object.getOwnPropertyDescriptor(new AsyncResource('t').bind(() => 1), 'asyncResource')?.get).toBeTypeOf('function');
  });
});
