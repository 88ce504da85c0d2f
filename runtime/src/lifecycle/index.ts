/**
 * `@opkit/runtime/lifecycle`: the contracts everything in the runtime is started and stopped by,
 * at the bottom of its layering (nothing here imports another part of the runtime but the clock):
 * `Runnable` (what the manager runs), `LeaderElector` (the leader gate), abort linking, and the
 * injected `Clock`.
 * @packageDocumentation
 */
export { alwaysLeader, type Runnable, type LeaderElector } from './runnable.js';
export { linkAbort, waitForAbort, settleWithin, type LinkedAbort } from './abort.js';
export { realClock, sleep, type Clock, type Timer } from '../util/clock.js';
