import { setTimeout as delay } from 'node:timers/promises';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import type { EventHandler } from '../../../runtime/src/cache/types.js';
import type { Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import type { StreamSink, Transport, TransportRequest } from '../../../runtime/src/client/transport.js';

/**
 * A real {@link Transport} with a recorder and switches: `partition()` cuts every open watch (it
 * fails like a reset connection) and makes new requests fail until `heal()`; `silenceNextWatch()`
 * makes the next watch connection swallow everything the server sends (a silent stall).
 */
export class TestTransport implements Transport {
  readonly requests: Array<TransportRequest & { at: number }> = [];
  readonly #inner: Transport;
  readonly #active = new Set<AbortController>();
  #partitioned = false;
  #silentWatches = 0;

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  watchRequests(path?: string): TransportRequest[] {
    return this.requests.filter((r) => r.query?.watch === true && (path === undefined || r.path === path));
  }

  listRequests(path?: string): TransportRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.query?.watch !== true && (path === undefined || r.path === path));
  }

  partition(): void {
    this.#partitioned = true;
    for (const c of this.#active) c.abort();
  }

  heal(): void {
    this.#partitioned = false;
  }

  silenceNextWatch(): void {
    this.#silentWatches++;
  }

  #refuse(req: TransportRequest): ApiError {
    return new ApiError({ status: 0, method: req.method, path: req.path, text: 'connection refused (test partition)' });
  }

  async request<T>(req: TransportRequest): Promise<T> {
    this.requests.push({ ...req, at: Date.now() });
    if (this.#partitioned) throw this.#refuse(req);
    return this.#inner.request<T>(req);
  }

  stream(req: TransportRequest): AsyncIterable<string> {
    this.requests.push({ ...req, at: Date.now() });
    const silent = this.#silentWatches > 0;
    if (silent) this.#silentWatches--;
    return this.#stream(req, silent);
  }

  async *#stream(req: TransportRequest, silent: boolean): AsyncGenerator<string> {
    if (this.#partitioned) throw this.#refuse(req);
    const cut = new AbortController();
    const onAbort = (): void => cut.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    this.#active.add(cut);
    try {
      for await (const line of this.#inner.stream({ ...req, signal: cut.signal })) if (!silent) yield line;
      if (cut.signal.aborted && !req.signal?.aborted) throw this.#refuse(req);
    } finally {
      this.#active.delete(cut);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The push form, over the real transport's `streamTo`, with the same switches as {@link TestTransport.stream}. */
  async streamTo(req: TransportRequest, sink: StreamSink): Promise<void> {
    this.requests.push({ ...req, at: Date.now() });
    const silent = this.#silentWatches > 0;
    if (silent) this.#silentWatches--;
    if (this.#partitioned) throw this.#refuse(req);
    const inner = this.#inner.streamTo;
    if (!inner) throw new Error('the inner transport has no streamTo');
    const cut = new AbortController();
    const onAbort = (): void => cut.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    this.#active.add(cut);
    try {
      await inner.call(this.#inner, { ...req, signal: cut.signal }, silent ? { ...(sink.open ? { open: (flow) => sink.open?.(flow) } : {}), data: () => undefined } : sink);
      if (cut.signal.aborted && !req.signal?.aborted) throw this.#refuse(req);
    } finally {
      this.#active.delete(cut);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#inner.close();
  }
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. No fixed sleeps. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await delay(25);
  }
}

/** A handler that keeps its own map from the events it gets: what a controller would believe. */
export function modelHandler(): EventHandler<KubeObject> & { model: Map<string, string>; deletes: string[]; adds: string[] } {
  const model = new Map<string, string>();
  const deletes: string[] = [];
  const adds: string[] = [];
  const key = (o: KubeObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return {
    model,
    deletes,
    adds,
    onAdd: (o) => {
      adds.push(key(o));
      model.set(key(o), o.metadata?.resourceVersion ?? '');
    },
    onUpdate: (_old, o) => model.set(key(o), o.metadata?.resourceVersion ?? ''),
    onDelete: (o) => {
      deletes.push(key(o));
      model.delete(key(o));
    },
  };
}

/** namespace/name → resourceVersion of the ConfigMaps in `namespace`, straight from the API server. */
export async function serverState(client: Client, namespace: string): Promise<Map<string, string>> {
  const items = await client.list(ConfigMap, { namespace });
  return new Map(items.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o.metadata?.resourceVersion ?? '']));
}

export function sameState(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Creates `count` ConfigMaps named `prefix-<i>` in `namespace`, `concurrency` at a time. */
export async function createConfigMaps(
  client: Client,
  namespace: string,
  prefix: string,
  count: number,
  extra: (i: number) => { labels?: Record<string, string>; data?: Record<string, string> } = () => ({}),
  concurrency = 16,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await client.create(ConfigMap, { metadata: { name: `${prefix}-${i}`, namespace, ...(extra(i).labels ? { labels: extra(i).labels } : {}) }, data: extra(i).data ?? { i: String(i) } });
      }
    }),
  );
}

export async function createNamespace(client: Client, name: string): Promise<void> {
  await client.create({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }, { metadata: { name } });
}
