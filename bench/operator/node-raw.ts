/**
 * The floor of the throughput workload in Node: the same API traffic as the operators of
 * bench/controller-runtime.bench.ts, with nothing but Node's own HTTP client — no Opkit transport,
 * no client, watcher, cache, queue or controller. One list of the namespace's ConfigMaps
 * (`JSON.parse` of the answer), a watch from its resourceVersion (each event line split off and
 * `JSON.parse`d), one merge patch of the run annotation per listed object with its answer
 * `JSON.parse`d, `--concurrency` patches in flight. `--protocol http2` (default) uses `node:http2`
 * directly, one session for everything, as client-go multiplexes one connection;
 * `--protocol https` uses `node:https` with a keep-alive agent (HTTP/1.1: the watch holds one
 * socket, each patch in flight another); `--protocol tls` speaks HTTP/1.1 itself over `node:tls`
 * sockets (one per patch in flight, one for the watch; requests written as one string, answers
 * parsed by a few lines of code: status, Content-Length or chunked) — Node's floor without its HTTP
 * modules: V8, TLS, sockets and `JSON.parse`.
 *
 * The server URL and the TLS client certificate come from `$KUBECONFIG` (read with Opkit's
 * `loadKubeConfig` before the "started" mark, so none of its code runs in the measured span).
 * Prints the operator programs' lines: `{"event":"started","cpuUs","monoUs"}`, `{"event":"synced"}`
 * once the list is parsed and the watch is open, `{"event":"done","ms","cpuUs","objects"}` once
 * every patch is answered and every patched object's event has arrived, then exits.
 *
 * Usage: `node node-raw.mjs --namespace NS --run ID [--concurrency C] [--protocol http2|https|tls]`
 */
import http2 from 'node:http2';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '@opkit/runtime/client';

const RUN_ANNOTATION = 'bench.opkit.dev/run';

const { values } = parseArgs({
  options: {
    namespace: { type: 'string', default: '' },
    run: { type: 'string', default: '' },
    concurrency: { type: 'string', default: '1' },
    protocol: { type: 'string', default: 'http2' },
  },
});
const namespace = values.namespace ?? '';
const run = values.run ?? '';
const concurrency = Number(values.concurrency);
const protocol = values.protocol;
if (namespace === '' || run === '' || !(concurrency > 0)) fail('needs --namespace, --run and --concurrency > 0');
if (protocol !== 'http2' && protocol !== 'https' && protocol !== 'tls') fail(`--protocol must be http2, https or tls, not "${protocol}"`);

function fail(message: string): never {
  process.stderr.write(`node-raw: ${message}\n`);
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

function cpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

interface ConfigMapLike {
  readonly metadata: { readonly name: string; readonly resourceVersion?: string; readonly annotations?: Record<string, string> };
}

/** What each protocol offers: a request whose whole answer is returned, and a streamed GET. */
interface Wire {
  /** Sends `body` (if any) and resolves with the answer's text; rejects on a non-2xx status. */
  call(method: string, path: string, body?: string): Promise<string>;
  /** Opens a GET and calls `onChunk` with each piece of text; resolves when the server answered 2xx. */
  stream(path: string, onChunk: (text: string) => void, onEnd: () => void): Promise<void>;
  close(): void;
}

const config = await loadKubeConfig({ env: process.env });
const tlsOptions = { ca: config.tls?.ca, cert: config.tls?.cert, key: config.tls?.key, servername: config.tls?.servername };
const base = new URL(config.server);
const auth = config.headers?.['Authorization'] ?? config.headers?.['authorization'];

function http2Wire(): Wire {
  const session = http2.connect(base.origin, tlsOptions);
  session.on('error', (err) => fail(`http2 session: ${String(err)}`));
  const headers = (method: string, path: string, body: boolean): http2.OutgoingHttpHeaders => ({
    ':method': method,
    ':path': path,
    accept: 'application/json',
    ...(body ? { 'content-type': 'application/merge-patch+json' } : {}),
    ...(auth ? { authorization: auth } : {}),
  });
  return {
    call(method, path, body) {
      return new Promise((resolve, reject) => {
        const req = session.request(headers(method, path, body !== undefined), { endStream: body === undefined });
        let status = 0;
        let text = '';
        req.setEncoding('utf8');
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (d: string) => (text += d));
        req.on('end', () => (status >= 200 && status < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${status} ${text}`))));
        req.on('error', reject);
        if (body !== undefined) req.end(body);
      });
    },
    stream(path, onChunk, onEnd) {
      return new Promise((resolve, reject) => {
        const req = session.request(headers('GET', path, false), { endStream: true });
        req.setEncoding('utf8');
        req.on('response', (h) => (Number(h[':status']) === 200 ? resolve() : reject(new Error(`watch: ${String(h[':status'])}`))));
        req.on('data', onChunk);
        req.on('end', onEnd);
        req.on('error', reject);
      });
    },
    close: () => session.close(),
  };
}

function httpsWire(): Wire {
  const agent = new https.Agent({ keepAlive: true, ...tlsOptions });
  const options = (method: string, path: string, body: boolean): https.RequestOptions => ({
    agent,
    host: base.hostname,
    port: base.port,
    method,
    path,
    headers: {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/merge-patch+json' } : {}),
      ...(auth ? { authorization: auth } : {}),
    },
  });
  return {
    call(method, path, body) {
      return new Promise((resolve, reject) => {
        const req = https.request(options(method, path, body !== undefined), (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text);
            else reject(new Error(`${method} ${path}: ${status} ${text}`));
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    stream(path, onChunk, onEnd) {
      return new Promise((resolve, reject) => {
        const req = https.request(options('GET', path, false), (res) => {
          if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', onChunk);
          res.on('end', onEnd);
          resolve();
        });
        req.on('error', reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** The answer being read on an HTTP/1.1 connection. */
interface Exchange {
  readonly onHead: (status: number) => void;
  readonly onBody: (chunk: Buffer) => void;
  readonly onEnd: () => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection over a TLS socket, one exchange at a time: the answer's head
 * is read up to the blank line, then a Content-Length or chunked body (no trailers expected).
 */
class H1Connection {
  readonly #socket: tls.TLSSocket;
  #pending: Buffer = Buffer.alloc(0);
  #exchange: Exchange | undefined;
  /** `head`; `length`: #left body bytes; `size`: a chunk-size line; `data`: #left chunk bytes; `crlf`: the CRLF after a chunk. */
  #state: 'head' | 'length' | 'size' | 'data' | 'crlf' | 'last' = 'head';
  #left = 0;

  constructor() {
    this.#socket = tls.connect({ host: base.hostname, port: Number(base.port || 443), ...tlsOptions, ALPNProtocols: ['http/1.1'] });
    this.#socket.on('data', (d: Buffer) => this.#onData(d));
    this.#socket.on('error', (err) => fail(`tls socket: ${String(err)}`));
  }

  send(head: string, exchange: Exchange): void {
    this.#exchange = exchange;
    this.#state = 'head';
    this.#socket.write(head);
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(d: Buffer): void {
    let buf = this.#pending.length === 0 ? d : Buffer.concat([this.#pending, d]);
    for (;;) {
      const ex = this.#exchange;
      if (!ex) break;
      if (this.#state === 'head') {
        const end = buf.indexOf(CRLF2);
        if (end < 0) break;
        const head = buf.toString('latin1', 0, end).toLowerCase();
        buf = buf.subarray(end + 4);
        ex.onHead(Number(head.slice(9, 12)));
        const length = /\r\ncontent-length: *(\d+)/.exec(head);
        if (length) {
          this.#left = Number(length[1]);
          this.#state = 'length';
          if (this.#left === 0) this.#finish(ex);
        } else if (/\r\ntransfer-encoding: *chunked/.test(head)) this.#state = 'size';
        else fail(`an answer without Content-Length or chunked encoding: ${head}`);
      } else if (this.#state === 'length' || this.#state === 'data') {
        if (buf.length === 0) break;
        const n = Math.min(this.#left, buf.length);
        ex.onBody(buf.subarray(0, n));
        buf = buf.subarray(n);
        this.#left -= n;
        if (this.#left > 0) break;
        if (this.#state === 'length') this.#finish(ex);
        else this.#state = 'crlf';
      } else if (this.#state === 'size') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) break;
        this.#left = parseInt(buf.toString('latin1', 0, eol), 16);
        buf = buf.subarray(eol + 2);
        this.#state = this.#left === 0 ? 'last' : 'data';
      } else {
        // the CRLF after a chunk's data, or the one ending the last (empty) chunk
        if (buf.length < 2) break;
        buf = buf.subarray(2);
        if (this.#state === 'last') this.#finish(ex);
        else this.#state = 'size';
      }
    }
    this.#pending = buf;
  }

  #finish(ex: Exchange): void {
    this.#exchange = undefined;
    this.#state = 'head';
    ex.onEnd();
  }
}

function tlsWire(): Wire {
  const host = `${base.hostname}${base.port ? `:${base.port}` : ''}`;
  const idle: H1Connection[] = [];
  const all: H1Connection[] = [];
  const head = (method: string, path: string, body?: string): string =>
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\n${auth ? `Authorization: ${auth}\r\n` : ''}` +
    (body === undefined ? '\r\n' : `Content-Type: application/merge-patch+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const connection = (): H1Connection => {
    const c = idle.pop();
    if (c) return c;
    const created = new H1Connection();
    all.push(created);
    return created;
  };
  return {
    call(method, path, body) {
      return new Promise((resolve, reject) => {
        const conn = connection();
        const chunks: Buffer[] = [];
        let status = 0;
        conn.send(head(method, path, body), {
          onHead: (s) => (status = s),
          onBody: (chunk) => chunks.push(chunk),
          onEnd: () => {
            idle.push(conn);
            const text = chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
            if (status >= 200 && status < 300) resolve(text);
            else reject(new Error(`${method} ${path}: ${status} ${text}`));
          },
        });
      });
    },
    stream(path, onChunk, onEnd) {
      return new Promise((resolve, reject) => {
        const decoder = new StringDecoder('utf8');
        connection().send(head('GET', path), {
          onHead: (s) => (s === 200 ? resolve() : reject(new Error(`watch: ${s}`))),
          onBody: (chunk) => onChunk(decoder.write(chunk)),
          onEnd,
        });
      });
    },
    close: () => {
      for (const c of all) c.close();
    },
  };
}

const wire = protocol === 'http2' ? http2Wire() : protocol === 'https' ? httpsWire() : tlsWire();
const collection = `${base.pathname.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
const patchBody = JSON.stringify({ metadata: { annotations: { [RUN_ANNOTATION]: run } } });

const startCpu = cpuMicros();
const startSys = process.resourceUsage().systemCPUTime;
const started = performance.now();
emit({ event: 'started', cpuUs: startCpu, monoUs: Number(process.hrtime.bigint() / 1000n) });

const list = JSON.parse(await wire.call('GET', collection)) as { metadata: { resourceVersion: string }; items: ConfigMapLike[] };
const pending = new Set(list.items.map((o) => o.metadata.name));
let left = pending.size;
let seenAll: () => void = () => undefined;
const allSeen = new Promise<void>((resolve) => (seenAll = resolve));
let partial = '';
await wire.stream(
  `${collection}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(list.metadata.resourceVersion)}`,
  (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      const event = JSON.parse(line) as { type: string; object: ConfigMapLike };
      if (event.type === 'ERROR') fail(`watch error: ${line}`);
      const meta = event.object.metadata;
      if (meta.annotations?.[RUN_ANNOTATION] === run && pending.delete(meta.name) && --left === 0) seenAll();
    }
  },
  () => {
    if (left > 0) fail(`the watch ended with ${left} changes unseen`);
  },
);
emit({ event: 'synced', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu });

const names = list.items.map((o) => o.metadata.name);
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < names.length) {
      const name = names[next++] as string;
      JSON.parse(await wire.call('PATCH', `${collection}/${encodeURIComponent(name)}`, patchBody));
    }
  }),
);
await allSeen;
emit({ event: 'done', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu, sysUs: process.resourceUsage().systemCPUTime - startSys, objects: names.length });
wire.close();
process.exit(0);
