/**
 * The floor of the throughput workload in Node: the same API traffic as the operators of
 * bench/controller-runtime.bench.ts, with nothing but Node's own HTTP client — no Opkit transport,
 * no client, watcher, cache, queue or controller. One list of the namespace's ConfigMaps
 * (`JSON.parse` of the answer), a watch from its resourceVersion (each event line split off and
 * `JSON.parse`d), one merge patch of the run annotation per listed object with its answer
 * `JSON.parse`d, `--concurrency` patches in flight. `--protocol http2` (default) uses `node:http2`
 * directly, one session for everything, as client-go multiplexes one connection;
 * `--protocol https` uses `node:https` with a keep-alive agent (HTTP/1.1: the watch holds one
 * socket, each patch in flight another).
 *
 * The server URL and the TLS client certificate come from `$KUBECONFIG` (read with Opkit's
 * `loadKubeConfig` before the "started" mark, so none of its code runs in the measured span).
 * Prints the operator programs' lines: `{"event":"started","cpuUs","monoUs"}`, `{"event":"synced"}`
 * once the list is parsed and the watch is open, `{"event":"done","ms","cpuUs","objects"}` once
 * every patch is answered and every patched object's event has arrived, then exits.
 *
 * Usage: `node node-raw.mjs --namespace NS --run ID [--concurrency C] [--protocol http2|https]`
 */
import http2 from 'node:http2';
import https from 'node:https';
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
if (protocol !== 'http2' && protocol !== 'https') fail(`--protocol must be http2 or https, not "${protocol}"`);

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

/** What the two protocols offer: a request whose whole answer is returned, and a streamed GET. */
interface Wire {
  /** Sends `body` (if any) and resolves with the answer's text; rejects on a non-2xx status. */
  call(method: string, path: string, body?: string): Promise<string>;
  /** Opens a GET and calls `onChunk` with each piece of text; resolves when the server answered 2xx. */
  stream(path: string, onChunk: (text: string) => void, onEnd: () => void): Promise<void>;
  close(): void;
}

const config = await loadKubeConfig({ env: process.env });
const tls = { ca: config.tls?.ca, cert: config.tls?.cert, key: config.tls?.key, servername: config.tls?.servername };
const base = new URL(config.server);
const auth = config.headers?.['Authorization'] ?? config.headers?.['authorization'];

function http2Wire(): Wire {
  const session = http2.connect(base.origin, tls);
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
  const agent = new https.Agent({ keepAlive: true, ...tls });
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

const wire = protocol === 'http2' ? http2Wire() : httpsWire();
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
