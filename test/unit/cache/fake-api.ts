import type { KubeObject } from '../../../runtime/src/api/resource.js';
import { ApiError, type StatusBody } from '../../../runtime/src/client/errors.js';
import type { ServerHealth } from '../../../runtime/src/client/health.js';
import type { StreamSink, Transport, TransportRequest } from '../../../runtime/src/client/transport.js';

/** What the next watch open does instead of streaming normally. */
export type WatchFault = { kind: 'error'; status: number; retryAfterMs?: number } | { kind: 'gone-event' } | { kind: 'silent' } | { kind: 'close' } | { kind: 'garbage' };

interface HistoryEvent {
  readonly rv: number;
  readonly line: string;
}

class Channel implements AsyncIterableIterator<string> {
  readonly #queue: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(readonly startRv: number, signal: AbortSignal | undefined, private readonly onEnd: () => void) {
    signal?.addEventListener('abort', () => this.end(), { once: true });
  }

  push(line: string): void {
    if (this.#ended) return;
    this.#queue.push(line);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
    this.onEnd();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async next(): Promise<IteratorResult<string>> {
    for (;;) {
      const line = this.#queue.shift();
      if (line !== undefined) return { done: false, value: line };
      if (this.#ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<string>> {
    this.end();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

const keyOf = (o: KubeObject): string => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? ''));

/**
 * An in-memory API server for one collection path, as a {@link Transport}: paginated lists,
 * watches with history since a resourceVersion, bookmarks, and scripted faults. For unit tests of
 * pure logic only; the real behaviour is covered by the integration tests.
 */
export class FakeApi implements Transport {
  readonly objects = new Map<string, KubeObject>();
  readonly requests: TransportRequest[] = [];
  readonly history: HistoryEvent[] = [];
  readonly watches = new Set<Channel>();
  readonly listFaults: number[] = [];
  readonly watchFaults: WatchFault[] = [];
  /** Watches from a resourceVersion below this get 410. */
  compactedRv = 0;
  rv = 100;
  served = true;
  /** The transport's health view, when a test gives it one. */
  health: ServerHealth | undefined;
  /** How often {@link FakeApi.flush} was called (the watcher flushes the pool on a stall). */
  flushes = 0;
  /**
   * How a watch with `sendInitialEvents=true` is answered: `'stream'` (the state as ADDED events,
   * the initial-events-end bookmark, then live events), `'refuse'` (422, as with the WatchList
   * feature gate off) or `'no-bookmark'` (the state as ADDED events, then the stream ends).
   */
  watchList: 'stream' | 'refuse' | 'no-bookmark' = 'stream';
  /** Paths (prefixes) answered with 404, as for a kind whose CRD is not installed. */
  readonly notServed: string[] = [];

  constructor(readonly path: string) {}

  flush(): void {
    this.flushes++;
  }

  get watchRequests(): TransportRequest[] {
    return this.requests.filter((r) => r.query?.watch === true);
  }

  get listRequests(): TransportRequest[] {
    return this.requests.filter((r) => r.query?.watch !== true && r.path === this.path);
  }

  #emit(type: string, object: KubeObject): void {
    const line = JSON.stringify({ type, object });
    this.history.push({ rv: this.rv, line });
    for (const ch of this.watches) ch.push(line);
  }

  upsert(object: KubeObject): KubeObject {
    this.rv++;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    const existed = this.objects.has(keyOf(stored));
    this.objects.set(keyOf(stored), stored);
    this.#emit(existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  remove(key: string): void {
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    this.rv++;
    this.#emit('DELETED', { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } });
  }

  /** Changes state without telling open watches (as if it happened while disconnected), and expires history. */
  silently(fn: () => void): void {
    const watches = [...this.watches];
    this.watches.clear();
    fn();
    for (const w of watches) this.watches.add(w);
    this.compactedRv = this.rv;
  }

  bookmark(): void {
    this.rv++;
    const line = JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } } });
    for (const ch of this.watches) ch.push(line);
  }

  /** Ends every open watch, as the server's timeout does. */
  endWatches(): void {
    for (const ch of [...this.watches]) ch.end();
  }

  async request<T>(req: TransportRequest): Promise<T> {
    this.requests.push(req);
    if (req.signal?.aborted) throw new ApiError({ status: 0, method: req.method, path: req.path, text: 'aborted' });
    if (this.notServed.some((p) => req.path.startsWith(p))) {
      throw new ApiError({ status: 404, method: req.method, path: req.path, body: { reason: 'NotFound', code: 404 } });
    }
    if (req.path !== this.path) {
      if (!this.served) throw new ApiError({ status: 404, method: req.method, path: req.path, body: { reason: 'NotFound', code: 404 } });
      return { resources: [] } as T;
    }
    if (!this.served) throw new ApiError({ status: 404, method: req.method, path: req.path, body: { reason: 'NotFound', code: 404 } });
    const fault = this.listFaults.shift();
    if (fault !== undefined) throw new ApiError({ status: fault, method: req.method, path: req.path, body: { code: fault, message: 'injected' } });
    const all = [...this.objects.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const start = Number(req.query?.continue ?? 0);
    const limit = Number(req.query?.limit ?? all.length) || all.length;
    const items = all.slice(start, start + limit).map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return structuredClone(rest);
    });
    const more = start + limit < all.length;
    return { items, metadata: { resourceVersion: String(this.rv), ...(more ? { continue: String(start + limit) } : {}) } } as T;
  }

  stream(req: TransportRequest): AsyncIterable<string> {
    this.requests.push(req);
    const fault = this.watchFaults.shift();
    const from = Number(req.query?.resourceVersion ?? 0);
    const channel: Channel = new Channel(from, req.signal, () => this.watches.delete(channel));
    if (fault?.kind === 'error') {
      const body: StatusBody = { code: fault.status, reason: fault.status === 410 ? 'Gone' : 'InternalError' };
      return {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            Promise.reject(
              new ApiError({ status: fault.status, method: 'GET', path: req.path, body, ...(fault.retryAfterMs === undefined ? {} : { retryAfterMs: fault.retryAfterMs }) }),
            ),
        }),
      };
    }
    if (req.query?.sendInitialEvents === true && this.watchList === 'refuse') {
      const err = new ApiError({ status: 422, method: 'GET', path: req.path, body: { code: 422, reason: 'Invalid', message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' } });
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }) };
    }
    // every other fault is a 200 answer: the watch is open
    req.onOpen?.();
    if (req.query?.sendInitialEvents === true && fault === undefined) {
      for (const object of [...this.objects.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) channel.push(JSON.stringify({ type: 'ADDED', object }));
      if (this.watchList === 'no-bookmark') {
        channel.end();
        return channel;
      }
      const end = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv), annotations: { 'k8s.io/initial-events-end': 'true' } } };
      channel.push(JSON.stringify({ type: 'BOOKMARK', object: end }));
      this.watches.add(channel);
      return channel;
    }
    if (fault?.kind === 'gone-event' || from < this.compactedRv) {
      channel.push(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }));
      channel.end();
      return channel;
    }
    if (fault?.kind === 'close') {
      channel.end();
      return channel;
    }
    if (fault?.kind === 'garbage') {
      channel.push('{not json');
      return channel;
    }
    if (fault?.kind !== 'silent') {
      for (const event of this.history) if (event.rv > from) channel.push(event.line);
      this.watches.add(channel);
    }
    return channel;
  }

  /**
   * The push form of {@link FakeApi.stream}: each line goes to `sink.data` with its `\n` (so the
   * watcher's line splitting runs), and the sink's pause holds the next line back.
   */
  async streamTo(req: TransportRequest, sink: StreamSink): Promise<void> {
    let paused: Promise<void> | undefined;
    let resume: (() => void) | undefined;
    // as the real transport does, an abort ends a paused stream too
    req.signal?.addEventListener('abort', () => resume?.(), { once: true });
    const flow = {
      pause: () => void (paused ??= new Promise<void>((resolve) => (resume = resolve))),
      resume: () => {
        paused = undefined;
        resume?.();
      },
    };
    for await (const line of this.stream({ ...req, onOpen: () => sink.open?.(flow) })) {
      if (req.signal?.aborted) return;
      sink.data(`${line}\n`);
      if (paused) await paused;
    }
  }

  close(): void {
    this.endWatches();
  }
}

/** `api` without `streamTo`: the watcher then reads lines through `stream`, its fallback. */
export function withoutStreamTo(api: FakeApi): Transport {
  return {
    request: (req) => api.request(req),
    stream: (req) => api.stream(req),
    flush: () => api.flush(),
    close: () => api.close(),
    get health() {
      return api.health;
    },
  };
}

/** A ConfigMap-shaped object. */
export function cm(name: string, extra: { namespace?: string; labels?: Record<string, string>; data?: Record<string, string> } = {}): KubeObject & { data?: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      ...(extra.labels ? { labels: extra.labels } : {}),
      managedFields: [{ manager: 'test', operation: 'Update' }],
    },
    ...(extra.data ? { data: extra.data } : {}),
  };
}
