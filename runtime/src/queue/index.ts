/**
 * The rate-limited workqueue: de-duplicating, per-key serialising, delaying and rate-limiting.
 * @packageDocumentation
 */
export { Workqueue, type WorkqueueOptions, type DrainOptions } from './workqueue.js';
export { DelayingQueue, type DelayingQueueOptions } from './delaying.js';
export { RateLimitingQueue, type RateLimitingQueueOptions } from './rate-limiting.js';
export {
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
  type ExponentialBackoffOptions,
  type BucketOptions,
  type MaxOfOptions,
  type RateLimitOptions,
} from './rate-limiter.js';
export { noopWorkqueueMetrics, type WorkqueueMetrics, type UnfinishedWork } from './metrics.js';
export type { ProcessFn, ProcessOptions } from './process.js';
export { WorkqueueError, type WorkqueueErrorReason } from './errors.js';
