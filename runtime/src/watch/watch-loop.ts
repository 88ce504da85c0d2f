import { apiVersionOf, type KubeObject, type Resource } from '../api/resource.js';
import type { ObjectList } from '../client/client.js';
import { ApiError, isGone, isNotFound, retryAfterOf, type StatusBody } from '../client/errors.js';
import { resourcePath } from '../client/paths.js';
import type { StreamFlow, Transport, TransportRequest } from '../client/transport.js';
import { describeError } from '../errors/opkit-error.js';
import { linkAbort } from '../lifecycle/abort.js';
import { realClock, type Clock, type Timer } from '../util/clock.js';
import { createBackoff, type Backoff } from './backoff.js';
import { ForbiddenError, KindNotServedError, ResourceExpiredError, WatchError, WatchStalledError } from './errors.js';
import { LineSplitter } from './lines.js';
import { waitToRetry } from './retry-wait.js';
import type { InformerScope } from './scope.js';
import type { InitialListMode, WatcherEvent, WatcherOptions } from './watcher.js';

/** The annotation of the bookmark that ends a WatchList's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * Receives a {@link runWatcher}'s events, in order. Watch events are handed over synchronously from
 * the socket's data callback: the sink's work is the only backpressure, so it must be synchronous
 * (or call `flow.pause()`).
 */
export interface WatcherSink<T extends KubeObject> {
  /** One event. An exception ends the watcher: {@link runWatcher} rejects with it. */
  event(event: WatcherEvent<T>): void;
  /**
   * Called once, before any event, with the watcher's flow control: `pause()` stops reading the
   * watch connection (and a paused watch is not counted as stalled) until `resume()`.
   */
  attach?(flow: StreamFlow): void;
}

/** The watcher's state machine: what to do next, after how long. `stop` ends the loop. */
type State =
  | { readonly phase: 'list'; readonly delayMs: number; readonly notBeforeMs?: number; readonly retryAfterFromOutage?: boolean }
  | {
      readonly phase: 'watch';
      readonly resourceVersion: string;
      readonly delayMs: number;
      readonly notBeforeMs?: number;
      readonly retryAfterFromOutage?: boolean;
    }
  | { readonly phase: 'stop' };

interface Context<T extends KubeObject> {
  readonly transport: Transport;
  readonly resource: Resource<T>;
  readonly signal: AbortSignal;
  readonly scope: InformerScope;
  readonly clock: Clock;
  readonly pageSize: number;
  readonly initialList: InitialListMode;
  readonly backoff: Backoff;
  readonly watchTimeoutSeconds: number;
  readonly stallTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly path: string;
  readonly sink: WatcherSink<T>;
  /** Set after the first successful list; a 404 before that means the kind is not served. */
  listed: boolean;
  /** Whether a watch delivered anything since the last list: a 410 then relists at once. */
  watchedSinceList: boolean;
  /** Whether an outage ended since the last list: a 410 then relists at once (a restarted server forgot old resourceVersions). */
  afterOutage: boolean;
  /** Whether any watch delivered anything yet; a 403 before that is fatal ({@link ForbiddenError}). */
  established: boolean;
  /** Set when the server refused a WatchList or ended one early: relists are plain lists from then on. */
  watchListUnsupported: boolean;
  /** The sink asked to pause: the open watch does not read, and does not count as stalled. */
  paused: boolean;
  /** The open watch's flow, while one is open. */
  flow: StreamFlow | undefined;
  /** Called when the sink resumes (the open watch's activity clock restarts). */
  onResume: (() => void) | undefined;
  /** An exception the sink threw: the watcher ends with it. */
  sinkFailure: { readonly error: unknown } | undefined;
}

type ErrorEvent<T extends KubeObject> = Extract<WatcherEvent<T>, { type: 'error' }>;

/** A watch that ends by itself sooner than this without delivering anything is treated as a failure. */
const EARLY_CLOSE_MS = 1000;
/** Added to the expected heartbeat (watch end or bookmark) before a quiet watch counts as stalled. */
const STALL_GRACE_MS = 2000;
const STOP: State = { phase: 'stop' };

/**
 * The watcher's loop, pushing events to `sink` instead of yielding them: what `watcher` and the
 * shared informer run. See `watcher` for the guarantees; besides those:
 *
 * Guarantees: each watch event reaches the sink synchronously from the data callback of the
 * connection (one `JSON.parse` per event, no promise per event); resolves when `options.signal`
 * aborts; rejects with {@link KindNotServedError}, {@link ForbiddenError} (as `watcher` throws them)
 * or what the sink threw.
 */
export async function runWatcher<T extends KubeObject>(transport: Transport, resource: Resource<T>, options: WatcherOptions, sink: WatcherSink<T>): Promise<void> {
  const watchTimeoutSeconds = options.watchTimeoutSeconds ?? 8;
  const heartbeatMs = Math.min(watchTimeoutSeconds * 1000, options.bookmarkIntervalMs ?? 60_000);
  const scope = options.scope ?? {};
  const ctx: Context<T> = {
    transport,
    resource,
    signal: options.signal,
    scope,
    clock: options.clock ?? realClock,
    pageSize: options.pageSize ?? 500,
    initialList: options.initialList ?? 'list',
    backoff: createBackoff(options.backoff),
    watchTimeoutSeconds,
    stallTimeoutMs: options.stallTimeoutMs ?? heartbeatMs + STALL_GRACE_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    path: resourcePath(resource, { namespace: scope.namespace }),
    sink,
    listed: false,
    watchedSinceList: false,
    afterOutage: false,
    established: false,
    watchListUnsupported: false,
    paused: false,
    flow: undefined,
    onResume: undefined,
    sinkFailure: undefined,
  };
  sink.attach?.({
    pause: () => {
      ctx.paused = true;
      ctx.flow?.pause();
    },
    resume: () => {
      if (!ctx.paused) return;
      ctx.paused = false;
      ctx.flow?.resume();
      ctx.onResume?.();
    },
  });
  let state: State = { phase: 'list', delayMs: 0 };
  while (state.phase !== 'stop' && !ctx.signal.aborted) {
    if (state.delayMs > 0 || (state.notBeforeMs ?? 0) > 0) {
      const waited = await waitToRetry({
        clock: ctx.clock,
        signal: ctx.signal,
        delayMs: state.delayMs,
        notBeforeMs: state.notBeforeMs ?? 0,
        health: ctx.transport.health,
        retryAfterFromOutage: state.retryAfterFromOutage ?? false,
      });
      if (waited === 'aborted') return;
      // the failures were the outage's, not this watch's: a failure now starts the backoff over
      if (waited === 'recovered') {
        ctx.backoff.reset();
        ctx.afterOutage = true;
      }
    }
    if (state.phase === 'watch') state = await watchPhase(ctx, state.resourceVersion, false);
    else if (ctx.initialList === 'watchList' && !ctx.watchListUnsupported) state = await watchPhase(ctx, '', true);
    else state = await listPhase(ctx);
    if (ctx.sinkFailure) throw ctx.sinkFailure.error;
  }
}

/** Hands `event` to the sink; an exception stops the watcher (returns false). */
function emit<T extends KubeObject>(ctx: Context<T>, event: WatcherEvent<T>): boolean {
  if (ctx.sinkFailure) return false;
  try {
    ctx.sink.event(event);
    return true;
  } catch (error) {
    ctx.sinkFailure = { error };
    return false;
  }
}

function selectors(scope: InformerScope): { labelSelector?: string; fieldSelector?: string } {
  return {
    ...(scope.labelSelector ? { labelSelector: scope.labelSelector } : {}),
    ...(scope.fieldSelector ? { fieldSelector: scope.fieldSelector } : {}),
  };
}

async function listPage<T extends KubeObject>(ctx: Context<T>, continueToken: string | undefined): Promise<ObjectList<T>> {
  const controller = linkAbort([ctx.signal]);
  const { dispose } = controller;
  let timedOut = false;
  const timer = ctx.clock.setTimer(ctx.requestTimeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  try {
    return await ctx.transport.request<ObjectList<T>>({
      method: 'GET',
      path: ctx.path,
      query: ctx.initialList === 'pagedList' ? { ...selectors(ctx.scope), limit: ctx.pageSize, continue: continueToken } : selectors(ctx.scope),
      signal: controller.signal,
    });
  } catch (err) {
    if (timedOut) throw new WatchError({ reason: 'ListFailed', resource: ctx.resource, message: `list page timed out after ${ctx.requestTimeoutMs} ms`, cause: err });
    throw err;
  } finally {
    timer.cancel();
    dispose();
  }
}

async function listPhase<T extends KubeObject>(ctx: Context<T>): Promise<State> {
  const apiVersion = apiVersionOf(ctx.resource);
  let continueToken: string | undefined;
  let first = true;
  try {
    for (;;) {
      const page = await listPage(ctx, continueToken);
      if (ctx.signal.aborted) return STOP;
      const items = page.items ?? [];
      for (const item of items) {
        item.apiVersion = apiVersion;
        item.kind = ctx.resource.kind;
      }
      if (first && !emit(ctx, { type: 'init' })) return STOP;
      first = false;
      if (!emit(ctx, { type: 'initPage', objects: items })) return STOP;
      continueToken = page.metadata?.continue || undefined;
      if (!continueToken) {
        const resourceVersion = page.metadata?.resourceVersion ?? '';
        ctx.listed = true;
        ctx.watchedSinceList = false;
        ctx.afterOutage = false;
        if (!emit(ctx, { type: 'initDone', resourceVersion })) return STOP;
        return { phase: 'watch', resourceVersion, delayMs: 0 };
      }
    }
  } catch (err) {
    if (ctx.signal.aborted) return STOP;
    if (isNotFound(err) && !ctx.listed) {
      throw new KindNotServedError({ resource: ctx.resource, detail: await describeMissing(ctx), cause: err });
    }
    if (isForbidden(err) && !ctx.established) throw forbidden(ctx, 'list', err);
    const error =
      err instanceof WatchError
        ? err
        : isGone(err)
          ? new ResourceExpiredError({ resource: ctx.resource, resourceVersion: 'of the continue token', cause: err })
          : new WatchError({ reason: 'ListFailed', resource: ctx.resource, message: `list failed: ${describeError(err)}`, cause: err });
    const event = errorEvent(ctx, error, 'list', ctx.backoff.next());
    if (!emit(ctx, event)) return STOP;
    return { phase: 'list', delayMs: event.retryInMs, notBeforeMs: event.retryAfterMs ?? 0, retryAfterFromOutage: ctx.transport.health?.outage === true };
  }
}

const isForbidden = (err: unknown): err is ApiError => err instanceof ApiError && err.status === 403;

/** A 403 before the watcher ever watched successfully: the identity lacks the RBAC rule. */
function forbidden(ctx: Context<KubeObject>, verb: 'list' | 'watch', err: ApiError): ForbiddenError {
  return new ForbiddenError({ resource: ctx.resource, verb, namespace: ctx.scope.namespace, detail: err.body?.message ?? err.message, cause: err });
}

/** An error event: the retry waits the backoff `delayMs`, or the server's `Retry-After` when longer. */
function errorEvent<T extends KubeObject>(ctx: Context<T>, error: WatchError, next: 'list' | 'watch', delayMs: number): ErrorEvent<T> {
  const retryAfterMs = retryAfterOf(error);
  if (retryAfterMs === undefined) return { type: 'error', error, retryInMs: delayMs, next };
  return { type: 'error', error, retryInMs: Math.max(delayMs, retryAfterMs), next, retryAfterMs };
}

/** Why discovery thinks the kind is missing, for {@link KindNotServedError}'s message. */
async function describeMissing(ctx: Context<KubeObject>): Promise<string> {
  const { group, version, plural } = ctx.resource;
  const gv = group === '' ? version : `${group}/${version}`;
  try {
    const list = await ctx.transport.request<{ resources?: Array<{ name: string }> }>({
      method: 'GET',
      path: group === '' ? `/api/${version}` : `/apis/${group}/${version}`,
      signal: ctx.signal,
    });
    return list.resources?.some((r) => r.name === plural)
      ? `the list answered 404 although discovery of ${gv} lists "${plural}"`
      : `discovery of ${gv} has no resource "${plural}"`;
  } catch (err) {
    if (isNotFound(err)) return `the API group version ${gv} is not served (discovery answered 404)`;
    return `the list answered 404 (discovery failed: ${describeError(err)})`;
  }
}

interface WatchLine {
  type?: string;
  object?: KubeObject & StatusBody;
}

const isInitialEventsEnd = (object: KubeObject): boolean => object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true';

/** 400 or 422 to a WatchList request: the server does not support it (feature gate off, or too old). */
const refusesWatchList = (err: unknown): boolean => err instanceof ApiError && (err.status === 400 || err.status === 422);

/**
 * One watch connection, as one object: its lines are handled synchronously as they arrive. With
 * `initial`, it is a WatchList: the state streams first (as `init`, `initPage`s and `initDone` at
 * the initial-events-end bookmark), then the same connection goes on as a plain watch; a failure
 * before `initDone` starts the state over (`next: 'list'`).
 */
class WatchConnection<T extends KubeObject> {
  readonly #ctx: Context<T>;
  readonly controller: ReturnType<typeof linkAbort>;
  /** The WatchList's streamed objects not yet handed over as an `initPage`; undefined once the state is complete. */
  batch: T[] | undefined;
  /** Whether `init` was handed over (WatchList). */
  begun = false;
  resourceVersion: string;
  delivered = false;
  stalled = false;
  /** Set by the first line that ends the connection (an ERROR, a bad line, a sink failure). */
  ended = false;
  event: ErrorEvent<T> | undefined;
  readonly openedAt: number;
  lastActivity: number;
  #timer: Timer;
  readonly #checkStall = (): void => this.#onStallTimer();

  constructor(ctx: Context<T>, from: string, initial: boolean) {
    this.#ctx = ctx;
    this.batch = initial ? [] : undefined;
    this.resourceVersion = from;
    this.openedAt = ctx.clock.now();
    this.lastActivity = this.openedAt;
    this.controller = linkAbort([ctx.signal]);
    this.#timer = ctx.clock.setTimer(ctx.stallTimeoutMs, this.#checkStall);
  }

  #onStallTimer(): void {
    const ctx = this.#ctx;
    const now = ctx.clock.now();
    // a watch the sink paused is not silent: the server's data waits in the socket
    if (ctx.paused) this.lastActivity = now;
    const idle = now - this.lastActivity;
    if (idle >= ctx.stallTimeoutMs) {
      this.stalled = true;
      this.controller.abort();
    } else {
      this.#timer = ctx.clock.setTimer(ctx.stallTimeoutMs - idle, this.#checkStall);
    }
  }

  cancelTimer(): void {
    this.#timer.cancel();
  }

  retry(error: WatchError): ErrorEvent<T> {
    return errorEvent(this.#ctx, error, this.batch ? 'list' : 'watch', this.#ctx.backoff.next());
  }

  gone(cause: unknown): ErrorEvent<T> {
    const ctx = this.#ctx;
    // A watch that ran fine before going stale relists at once; a list → 410 loop backs off.
    return errorEvent(ctx, new ResourceExpiredError({ resource: ctx.resource, resourceVersion: this.resourceVersion, cause }), 'list', ctx.watchedSinceList || ctx.afterOutage ? 0 : ctx.backoff.next());
  }

  /** The server answered 200: the watch is open, events can flow. */
  opened(): void {
    this.lastActivity = this.#ctx.clock.now();
    if (!emit(this.#ctx, { type: 'connected' })) this.#end();
  }

  /** Ends the connection from inside a line: nothing more is read. */
  #end(): false {
    this.ended = true;
    this.controller.abort();
    return false;
  }

  #fail(event: ErrorEvent<T>): false {
    this.event = event;
    return this.#end();
  }

  /** Handles one line of the stream; false when the connection must end. */
  line(text: string): boolean {
    if (this.ended) return false;
    const ctx = this.#ctx;
    let line: WatchLine;
    try {
      line = JSON.parse(text) as WatchLine;
    } catch (cause) {
      return this.#fail(this.retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: 'the watch sent a line that is not JSON', cause })));
    }
    const type = line.type;
    const object = line.object;
    if (type === 'ERROR') {
      return this.#fail(
        object?.code === 410 || object?.reason === 'Expired' || object?.reason === 'Gone'
          ? this.gone(object)
          : this.retry(new WatchError({ reason: 'WatchFailed', resource: ctx.resource, message: `the watch sent an error: ${object?.message ?? JSON.stringify(object)}`, cause: object })),
      );
    }
    const rv = object?.metadata?.resourceVersion;
    if (!object || !rv || (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK')) {
      return this.#fail(this.retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: `unexpected watch event ${text.slice(0, 200)}` })));
    }
    this.resourceVersion = rv;
    if (!this.delivered) {
      this.delivered = true;
      ctx.established = true;
      ctx.backoff.reset();
    }
    if (this.batch) return this.#initialLine(type, object as T, rv);
    ctx.watchedSinceList = true;
    const ok =
      type === 'BOOKMARK'
        ? emit(ctx, { type: 'bookmark', resourceVersion: rv })
        : emit(ctx, type === 'DELETED' ? { type: 'delete', object: object as T } : { type: 'apply', object: object as T });
    return ok || this.#end();
  }

  /** A line of a WatchList's initial events. */
  #initialLine(type: string, object: T, rv: string): boolean {
    const ctx = this.#ctx;
    const batch = this.batch as T[];
    if (!this.begun) {
      this.begun = true;
      if (!emit(ctx, { type: 'init' })) return this.#end();
    }
    if (type === 'ADDED') {
      batch.push(object);
      if (batch.length >= ctx.pageSize) {
        this.batch = [];
        if (!emit(ctx, { type: 'initPage', objects: batch })) return this.#end();
      }
    } else if (type === 'BOOKMARK' && isInitialEventsEnd(object)) {
      this.batch = undefined;
      if (batch.length > 0 && !emit(ctx, { type: 'initPage', objects: batch })) return this.#end();
      ctx.listed = true;
      ctx.watchedSinceList = false;
      ctx.afterOutage = false;
      if (!emit(ctx, { type: 'initDone', resourceVersion: rv })) return this.#end();
    } else if (type !== 'BOOKMARK') {
      return this.#fail(this.retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: `a ${type} event before the initial-events-end bookmark` })));
    }
    return true;
  }
}

/** Reads the watch through `transport.streamTo` (chunks pushed from the data callback) or, without it, `stream`. */
async function readWatch<T extends KubeObject>(ctx: Context<T>, conn: WatchConnection<T>, req: TransportRequest): Promise<void> {
  const signal = conn.controller.signal;
  const { transport } = ctx;
  if (transport.streamTo) {
    const splitter = new LineSplitter((text) => conn.line(text));
    await transport.streamTo(req, {
      open: (flow) => {
        ctx.flow = flow;
        if (ctx.paused) flow.pause();
        conn.opened();
      },
      data: (chunk) => {
        if (!splitter.push(chunk)) return;
        // time the sink spent on the events is not the server's silence
        conn.lastActivity = ctx.clock.now();
      },
    });
    if (!signal.aborted) splitter.end();
    return;
  }
  let waitResume: Promise<void> | undefined;
  let resumed: (() => void) | undefined;
  ctx.flow = {
    pause: () => {
      waitResume ??= new Promise<void>((resolve) => (resumed = resolve));
    },
    resume: () => {
      waitResume = undefined;
      resumed?.();
    },
  };
  if (ctx.paused) ctx.flow.pause();
  const lines = transport.stream({ ...req, onOpen: () => conn.opened() });
  for await (const text of lines) {
    if (signal.aborted || !conn.line(text)) break;
    conn.lastActivity = ctx.clock.now();
    if (waitResume) await waitResume;
    if (signal.aborted) break;
  }
}

async function watchPhase<T extends KubeObject>(ctx: Context<T>, from: string, initial: boolean): Promise<State> {
  const conn = new WatchConnection(ctx, from, initial);
  const signal = conn.controller.signal;
  ctx.onResume = () => {
    conn.lastActivity = ctx.clock.now();
  };
  try {
    await readWatch(ctx, conn, {
      method: 'GET',
      path: ctx.path,
      query: initial
        ? { ...selectors(ctx.scope), watch: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, timeoutSeconds: ctx.watchTimeoutSeconds }
        : { ...selectors(ctx.scope), watch: true, resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds: ctx.watchTimeoutSeconds },
      signal,
    });
    if (ctx.sinkFailure) return STOP;
    if (!conn.event && !conn.stalled && !ctx.signal.aborted && conn.batch) {
      // The server ended the stream without the initial-events-end bookmark: it ignores
      // sendInitialEvents (or the state takes longer than the watch timeout). Lists from now on.
      ctx.watchListUnsupported = true;
      return { phase: 'list', delayMs: 0 };
    }
    if (!conn.event && !conn.stalled && !ctx.signal.aborted) {
      if (conn.delivered || ctx.clock.now() - conn.openedAt >= EARLY_CLOSE_MS) return { phase: 'watch', resourceVersion: conn.resourceVersion, delayMs: 0 };
      conn.event = conn.retry(new WatchError({ reason: 'WatchClosedEarly', resource: ctx.resource, message: 'the server ended the watch at once without sending anything' }));
    }
  } catch (err) {
    if (ctx.sinkFailure) return STOP;
    if (isForbidden(err) && !ctx.established && !ctx.signal.aborted) throw forbidden(ctx, 'watch', err);
    if (initial && !ctx.signal.aborted && !conn.delivered) {
      if (refusesWatchList(err)) {
        ctx.watchListUnsupported = true;
        return { phase: 'list', delayMs: 0 };
      }
      // the list answers whether the kind is served (and throws KindNotServedError if not)
      if (isNotFound(err) && !ctx.listed) return { phase: 'list', delayMs: 0 };
    }
    if (!conn.stalled && !ctx.signal.aborted && !conn.event) {
      conn.event = isGone(err)
        ? conn.gone(err)
        : conn.retry(new WatchError({ reason: 'WatchFailed', resource: ctx.resource, message: `watch failed: ${describeError(err)}`, cause: err }));
    }
  } finally {
    conn.cancelTimer();
    conn.controller.abort();
    conn.controller.dispose();
    ctx.flow = undefined;
    ctx.onResume = undefined;
  }
  if (ctx.signal.aborted) return STOP;
  let event = conn.event;
  if (conn.stalled) {
    const error = new WatchStalledError({ resource: ctx.resource, stallTimeoutMs: ctx.stallTimeoutMs });
    // The stalled connection is already destroyed (aborted); its idle peers may be as dead.
    ctx.transport.flush?.();
    ctx.transport.health?.reportFailure(error);
    event = conn.retry(error);
  }
  if (!event) return { phase: 'watch', resourceVersion: conn.resourceVersion, delayMs: 0 };
  if (!emit(ctx, event)) return STOP;
  const notBeforeMs = event.retryAfterMs ?? 0;
  const retryAfterFromOutage = ctx.transport.health?.outage === true;
  return event.next === 'list'
    ? { phase: 'list', delayMs: event.retryInMs, notBeforeMs, retryAfterFromOutage }
    : { phase: 'watch', resourceVersion: conn.resourceVersion, delayMs: event.retryInMs, notBeforeMs, retryAfterFromOutage };
}
