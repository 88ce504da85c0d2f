import { apiVersionOf, type KubeObject, type Resource } from '../api/resource.js';
import type { InformerScope } from './scope.js';
import type { ObjectList } from '../client/client.js';
import { ApiError, isGone, isNotFound, retryAfterOf, type StatusBody } from '../client/errors.js';
import { resourcePath } from '../client/paths.js';
import type { Transport } from '../client/transport.js';
import { describeError } from '../errors/opkit-error.js';
import { realClock, type Clock } from '../util/clock.js';
import { createBackoff, type Backoff, type BackoffSpec } from './backoff.js';
import { ForbiddenError, KindNotServedError, ResourceExpiredError, WatchError, WatchStalledError } from './errors.js';
import { waitToRetry } from './retry-wait.js';
import { linkAbort } from '../lifecycle/abort.js';

/**
 * How a {@link watcher} gets the state it starts watching from (the first sync and every relist):
 *
 * - `'list'` (the default): one unpaged list with a consistent read (`resourceVersion` unset).
 *   kube-apiserver ≥ 1.31 serves it from its watch cache (ConsistentListFromCache); older servers
 *   read it from etcd in one range.
 * - `'watchList'`: a watch that streams the state first (`sendInitialEvents=true`,
 *   `resourceVersionMatch=NotOlderThan`, bookmarks), ends it with the `k8s.io/initial-events-end`
 *   bookmark and goes on as the watch on the same connection: client-go's WatchList. Falls back
 *   to `'list'` (for the rest of the watcher's life) when the server refuses the request (400 or
 *   422: the `WatchList` feature gate is off, or the server predates it) or ends the stream
 *   before that bookmark.
 * - `'pagedList'`: a list in pages of `pageSize` (`limit`/`continue`).
 *
 * All three are consistent reads: a relist never goes back in time. See docs/operations.md for
 * what each costs.
 */
export type InitialListMode = 'list' | 'watchList' | 'pagedList';

/** The annotation of the bookmark that ends a WatchList's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** Options of {@link watcher}. */
export interface WatcherOptions {
  /** Ends the watcher cleanly (the iterator completes, nothing is thrown). Required. */
  readonly signal: AbortSignal;
  /** Namespace and selectors to list and watch (default: everything). */
  readonly scope?: InformerScope;
  /** Source of time for backoff, stall detection and request timeouts (default {@link realClock}). */
  readonly clock?: Clock;
  /** How the state is fetched before watching (default `'list'`; see {@link InitialListMode}). */
  readonly initialList?: InitialListMode;
  /**
   * Objects per list page with `initialList: 'pagedList'` (`limit`; default 500); with
   * `'watchList'`, how many streamed objects each `initPage` event carries.
   */
  readonly pageSize?: number;
  /** Delays between failed attempts (default 800 ms → 30 s, ×2, ±25 % jitter). */
  readonly backoff?: BackoffSpec;
  /**
   * `timeoutSeconds` of each watch request: the server ends the watch then and the watcher
   * reconnects from the last resourceVersion (default 8). It is the heartbeat of a quiet watch:
   * see `stallTimeoutMs`.
   */
  readonly watchTimeoutSeconds?: number;
  /**
   * How often the API server sends a bookmark on a long, quiet watch, in ms (default 60 000:
   * kube-apiserver's cadence, plus one 2 s before the watch's timeout).
   */
  readonly bookmarkIntervalMs?: number;
  /**
   * A watch connection that delivers nothing (no event, no bookmark, no end) for this long is
   * stalled: it is destroyed, idle pooled connections are flushed, and the watch reopens (default
   * `min(watchTimeoutSeconds × 1000, bookmarkIntervalMs) + 2000`: a healthy server has ended the
   * watch or sent a bookmark by then, so 10 s with the defaults).
   */
  readonly stallTimeoutMs?: number;
  /** Deadline of each list page request in ms (default 60 000). */
  readonly requestTimeoutMs?: number;
}

/**
 * What a {@link watcher} yields. A (re)list is `init`, one `initPage` per page (or per `pageSize`
 * streamed objects), `initDone`; then
 * `apply` (added or modified), `delete` and `bookmark` until the next relist. `error` reports a
 * failure the watcher is about to retry, after `retryInMs`, by relisting or by re-watching.
 */
export type WatcherEvent<T extends KubeObject> =
  | { readonly type: 'init' }
  | { readonly type: 'initPage'; readonly objects: readonly T[] }
  | { readonly type: 'initDone'; readonly resourceVersion: string }
  | { readonly type: 'apply'; readonly object: T }
  | { readonly type: 'delete'; readonly object: T }
  | { readonly type: 'bookmark'; readonly resourceVersion: string }
  | { readonly type: 'connected' }
  | {
      readonly type: 'error';
      readonly error: WatchError;
      readonly retryInMs: number;
      readonly next: 'list' | 'watch';
      /** The server's `Retry-After`: the retry waits at least this long, outage over or not. */
      readonly retryAfterMs?: number;
    };

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
}

type ErrorEvent<T extends KubeObject> = Extract<WatcherEvent<T>, { type: 'error' }>;

/** A watch that ends by itself sooner than this without delivering anything is treated as a failure. */
const EARLY_CLOSE_MS = 1000;
/** Added to the expected heartbeat (watch end or bookmark) before a quiet watch counts as stalled. */
const STALL_GRACE_MS = 2000;
const STOP: State = { phase: 'stop' };

/**
 * Lists then watches one kind in one scope, forever: kube-rs' `watcher`.
 *
 * Guarantees:
 * - the state comes from a consistent read, as `initialList` says (one list by default; a paged
 *   list; or a WatchList stream, falling back to a list where the server does not support it);
 *   the watch starts at its resourceVersion with `allowWatchBookmarks=true` and resumes from the
 *   latest resourceVersion seen (bookmarks included);
 * - 410 Gone (on open or as an in-stream ERROR, or an expired `continue` token) → relist;
 * - any other failure, and a stalled watch, → an `error` event, then a retry after exponential
 *   backoff (reset once a watch delivers something); the server's own timeout is a plain reconnect;
 * - never throws, except {@link KindNotServedError} when the very first list answers 404, and
 *   {@link ForbiddenError} when a list or watch answers 403 before any watch delivered anything
 *   (the identity lacks the RBAC rule: retrying would only repeat the warning); a 403 later (a
 *   rule being rolled out) is retried like any failure;
 * - aborting `signal` ends the iterator cleanly and cancels every timer and request it started.
 *
 * Caveats: objects are handed over as parsed (list items get `apiVersion`/`kind` filled in);
 * consumers own them. Stopping iteration early (`break`) leaves no request open either.
 */
export async function* watcher<T extends KubeObject>(
  transport: Transport,
  resource: Resource<T>,
  options: WatcherOptions,
): AsyncGenerator<WatcherEvent<T>, void, undefined> {
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
    listed: false,
    watchedSinceList: false,
    afterOutage: false,
    established: false,
    watchListUnsupported: false,
  };
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
    if (state.phase === 'watch') state = yield* watchPhase(ctx, state.resourceVersion, false);
    else if (ctx.initialList === 'watchList' && !ctx.watchListUnsupported) state = yield* watchPhase(ctx, '', true);
    else state = yield* listPhase(ctx);
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

async function* listPhase<T extends KubeObject>(ctx: Context<T>): AsyncGenerator<WatcherEvent<T>, State, undefined> {
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
      if (first) yield { type: 'init' };
      first = false;
      yield { type: 'initPage', objects: items };
      continueToken = page.metadata?.continue || undefined;
      if (!continueToken) {
        const resourceVersion = page.metadata?.resourceVersion ?? '';
        ctx.listed = true;
        ctx.watchedSinceList = false;
        ctx.afterOutage = false;
        yield { type: 'initDone', resourceVersion };
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
    yield event;
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

/** What {@link watchPhase} does with an event while a WatchList's initial events stream. */
interface InitialStream<T extends KubeObject> {
  /** Streamed objects not yet yielded as an `initPage`. */
  batch: T[];
  /** Whether `init` was yielded. */
  begun: boolean;
}

const isInitialEventsEnd = (object: KubeObject): boolean => object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true';

/** 400 or 422 to a WatchList request: the server does not support it (feature gate off, or too old). */
const refusesWatchList = (err: unknown): boolean => err instanceof ApiError && (err.status === 400 || err.status === 422);

/**
 * One watch connection. With `initial`, it is a WatchList: the state streams first (as `init`,
 * `initPage`s and `initDone` at the initial-events-end bookmark), then the same connection goes
 * on as a plain watch; a failure before `initDone` starts the state over (`next: 'list'`).
 */
async function* watchPhase<T extends KubeObject>(ctx: Context<T>, from: string, initial: boolean): AsyncGenerator<WatcherEvent<T>, State, undefined> {
  let stream: InitialStream<T> | undefined = initial ? { batch: [], begun: false } : undefined;
  let resourceVersion = from;
  let delivered = false;
  let stalled = false;
  const openedAt = ctx.clock.now();
  let lastActivity = openedAt;
  const controller = linkAbort([ctx.signal]);
  const { dispose } = controller;
  let timer = ctx.clock.setTimer(ctx.stallTimeoutMs, checkStall);
  function checkStall(): void {
    const idle = ctx.clock.now() - lastActivity;
    if (idle >= ctx.stallTimeoutMs) {
      stalled = true;
      controller.abort();
    } else {
      timer = ctx.clock.setTimer(ctx.stallTimeoutMs - idle, checkStall);
    }
  }
  const retry = (error: WatchError): ErrorEvent<T> => errorEvent(ctx, error, stream ? 'list' : 'watch', ctx.backoff.next());
  const gone = (cause: unknown): ErrorEvent<T> =>
    // A watch that ran fine before going stale relists at once; a list → 410 loop backs off.
    errorEvent(ctx, new ResourceExpiredError({ resource: ctx.resource, resourceVersion, cause }), 'list', ctx.watchedSinceList || ctx.afterOutage ? 0 : ctx.backoff.next());
  let opened = false;
  let markOpened: () => void = () => undefined;
  const whenOpened = new Promise<void>((resolve) => (markOpened = resolve));
  let iterator: AsyncIterator<string> | undefined;
  let event: ErrorEvent<T> | undefined;
  try {
    const lines = ctx.transport.stream({
      method: 'GET',
      path: ctx.path,
      query: stream
        ? { ...selectors(ctx.scope), watch: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, timeoutSeconds: ctx.watchTimeoutSeconds }
        : { ...selectors(ctx.scope), watch: true, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: ctx.watchTimeoutSeconds },
      signal: controller.signal,
      onOpen: () => {
        opened = true;
        markOpened();
      },
    });
    iterator = lines[Symbol.asyncIterator]();
    let announced = false;
    for (;;) {
      const pending = iterator.next();
      if (!announced) {
        // The server answered 200 before the first line: the watch is open, events can flow.
        await Promise.race([pending, whenOpened]);
        if (opened) {
          announced = true;
          lastActivity = ctx.clock.now();
          yield { type: 'connected' };
        }
      }
      const next = await pending;
      if (next.done || controller.signal.aborted) break;
      lastActivity = ctx.clock.now();
      let line: WatchLine;
      try {
        line = JSON.parse(next.value) as WatchLine;
      } catch (cause) {
        event = retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: 'the watch sent a line that is not JSON', cause }));
        break;
      }
      const object = line.object;
      if (line.type === 'ERROR') {
        event =
          object?.code === 410 || object?.reason === 'Expired' || object?.reason === 'Gone'
            ? gone(object)
            : retry(new WatchError({ reason: 'WatchFailed', resource: ctx.resource, message: `the watch sent an error: ${object?.message ?? JSON.stringify(object)}`, cause: object }));
        break;
      }
      const rv = object?.metadata?.resourceVersion;
      if (!object || !rv || (line.type !== 'ADDED' && line.type !== 'MODIFIED' && line.type !== 'DELETED' && line.type !== 'BOOKMARK')) {
        event = retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: `unexpected watch event ${next.value.slice(0, 200)}` }));
        break;
      }
      resourceVersion = rv;
      if (!delivered) {
        delivered = true;
        ctx.established = true;
        ctx.backoff.reset();
      }
      if (stream) {
        if (!stream.begun) {
          stream.begun = true;
          yield { type: 'init' };
        }
        if (line.type === 'ADDED') {
          stream.batch.push(object as T);
          if (stream.batch.length >= ctx.pageSize) {
            const objects = stream.batch;
            stream.batch = [];
            yield { type: 'initPage', objects };
          }
        } else if (line.type === 'BOOKMARK' && isInitialEventsEnd(object)) {
          if (stream.batch.length > 0) yield { type: 'initPage', objects: stream.batch };
          stream = undefined;
          ctx.listed = true;
          ctx.watchedSinceList = false;
          ctx.afterOutage = false;
          yield { type: 'initDone', resourceVersion: rv };
        } else if (line.type !== 'BOOKMARK') {
          event = retry(new WatchError({ reason: 'BadWatchEvent', resource: ctx.resource, message: `a ${line.type} event before the initial-events-end bookmark` }));
          break;
        }
        lastActivity = ctx.clock.now();
        continue;
      }
      ctx.watchedSinceList = true;
      if (line.type === 'BOOKMARK') yield { type: 'bookmark', resourceVersion: rv };
      else if (line.type === 'DELETED') yield { type: 'delete', object: object as T };
      else yield { type: 'apply', object: object as T };
      // Time the consumer spent on the event is not the server's silence.
      lastActivity = ctx.clock.now();
    }
    if (!event && !stalled && !ctx.signal.aborted && stream) {
      // The server ended the stream without the initial-events-end bookmark: it ignores
      // sendInitialEvents (or the state takes longer than the watch timeout). Lists from now on.
      ctx.watchListUnsupported = true;
      return { phase: 'list', delayMs: 0 };
    }
    if (!event && !stalled && !ctx.signal.aborted) {
      if (delivered || ctx.clock.now() - openedAt >= EARLY_CLOSE_MS) return { phase: 'watch', resourceVersion, delayMs: 0 };
      event = retry(new WatchError({ reason: 'WatchClosedEarly', resource: ctx.resource, message: 'the server ended the watch at once without sending anything' }));
    }
  } catch (err) {
    if (isForbidden(err) && !ctx.established && !ctx.signal.aborted) throw forbidden(ctx, 'watch', err);
    if (stream && !ctx.signal.aborted && !delivered) {
      if (refusesWatchList(err)) {
        ctx.watchListUnsupported = true;
        return { phase: 'list', delayMs: 0 };
      }
      // the list answers whether the kind is served (and throws KindNotServedError if not)
      if (isNotFound(err) && !ctx.listed) return { phase: 'list', delayMs: 0 };
    }
    if (!stalled && !ctx.signal.aborted) {
      event = isGone(err)
        ? gone(err)
        : retry(new WatchError({ reason: 'WatchFailed', resource: ctx.resource, message: `watch failed: ${describeError(err)}`, cause: err }));
    }
  } finally {
    timer.cancel();
    controller.abort();
    dispose();
    await iterator?.return?.().catch(() => undefined);
  }
  if (ctx.signal.aborted) return STOP;
  if (stalled) {
    const error = new WatchStalledError({ resource: ctx.resource, stallTimeoutMs: ctx.stallTimeoutMs });
    // The stalled connection is already destroyed (aborted); its idle peers may be as dead.
    ctx.transport.flush?.();
    ctx.transport.health?.reportFailure(error);
    event = retry(error);
  }
  if (!event) return { phase: 'watch', resourceVersion, delayMs: 0 };
  yield event;
  const notBeforeMs = event.retryAfterMs ?? 0;
  const retryAfterFromOutage = ctx.transport.health?.outage === true;
  return event.next === 'list'
    ? { phase: 'list', delayMs: event.retryInMs, notBeforeMs, retryAfterFromOutage }
    : { phase: 'watch', resourceVersion, delayMs: event.retryInMs, notBeforeMs, retryAfterFromOutage };
}
