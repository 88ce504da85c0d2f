/**
 * `@opkit/runtime/watch`: list-then-watch with bookmarks, relist on 410 Gone and reconnect with
 * backoff (`watcher`), the backoff itself, and the watch errors.
 * @packageDocumentation
 */
export { watcher, INITIAL_EVENTS_END_ANNOTATION, type InitialListMode, type WatcherOptions, type WatcherEvent } from './watcher.js';
export { runWatcher, type WatcherSink } from './watch-loop.js';
export { exponentialBackoff, createBackoff, type Backoff, type BackoffOptions, type BackoffSpec } from './backoff.js';
export { WatchError, KindNotServedError, ForbiddenError, ResourceExpiredError, WatchStalledError, type WatchErrorReason } from './errors.js';
