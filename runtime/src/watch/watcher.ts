import type { KubeObject, Resource } from '../api/resource.js';
import type { StreamFlow, Transport } from '../client/transport.js';
import { linkAbort } from '../lifecycle/abort.js';
import type { Clock } from '../util/clock.js';
import type { BackoffSpec } from './backoff.js';
import type { WatchError } from './errors.js';
import type { InformerScope } from './scope.js';
import { INITIAL_EVENTS_END_ANNOTATION, runWatcher } from './watch-loop.js';

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

export { INITIAL_EVENTS_END_ANNOTATION };

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
 * consumers own them. Stopping iteration early (`break`) leaves no request open either. The
 * generator is a pulling view of {@link runWatcher} (which the shared informer uses directly):
 * events of one received chunk wait for a slow consumer, and the connection is not read meanwhile
 * (nor counted as stalled).
 */
export async function* watcher<T extends KubeObject>(
  transport: Transport,
  resource: Resource<T>,
  options: WatcherOptions,
): AsyncGenerator<WatcherEvent<T>, void, undefined> {
  // The loop pushes; this generator pulls. Events wait in `queue`; once the consumer falls behind
  // the watch connection is paused, so the queue holds at most what one chunk carried.
  const own = linkAbort([options.signal]);
  const queue: WatcherEvent<T>[] = [];
  let head = 0;
  let flow: StreamFlow | undefined;
  let wake: (() => void) | undefined;
  let outcome: { readonly error: unknown } | 'done' | undefined;
  const run = runWatcher(transport, resource, { ...options, signal: own.signal }, {
    attach: (f) => (flow = f),
    event: (event) => {
      queue.push(event);
      flow?.pause();
      const w = wake;
      wake = undefined;
      w?.();
    },
  }).then(
    () => (outcome = 'done'),
    (error: unknown) => (outcome = { error }),
  );
  void run.finally(() => {
    const w = wake;
    wake = undefined;
    w?.();
  });
  try {
    for (;;) {
      if (options.signal.aborted) return;
      if (head < queue.length) {
        const event = queue[head] as WatcherEvent<T>;
        queue[head++] = undefined as unknown as WatcherEvent<T>;
        yield event;
        continue;
      }
      queue.length = 0;
      head = 0;
      if (outcome === 'done') return;
      if (outcome) throw outcome.error;
      flow?.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    own.abort();
    await run;
  }
}
