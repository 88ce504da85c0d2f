import { describe, expect, it } from 'vitest';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  WorkqueueError,
  defaultControllerRateLimiter,
  type RateLimiter,
} from '../../../runtime/src/queue/index.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

function delays(limiter: RateLimiter, key: string, n: number): number[] {
  return Array.from({ length: n }, () => limiter.when(key));
}

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles the delay per failure from 5 ms and caps it at 1000 s by default', () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    expect(delays(limiter, 'ns/a', 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays(limiter, 'ns/a', 2000).at(-1)).toBe(1_000_000);
    expect(limiter.numRequeues('ns/a')).toBe(2005);
  });

  it('tracks each key separately and forget restarts a key at the base delay', () => {
    const limiter = new ItemExponentialFailureRateLimiter({ baseDelayMs: 1, maxDelayMs: 6 });
    expect(delays(limiter, 'ns/a', 4)).toEqual([1, 2, 4, 6]);
    expect(delays(limiter, 'ns/b', 1)).toEqual([1]);
    limiter.forget('ns/a');
    expect(limiter.numRequeues('ns/a')).toBe(0);
    expect(delays(limiter, 'ns/a', 1)).toEqual([1]);
    expect(limiter.numRequeues('ns/b')).toBe(1);
  });

  it('rejects negative or non-finite delays with InvalidOptions', () => {
    expect(() => new ItemExponentialFailureRateLimiter({ baseDelayMs: -1 })).toThrow(WorkqueueError);
    expect(() => new ItemExponentialFailureRateLimiter({ maxDelayMs: Infinity })).toThrow(
      expect.objectContaining({ reason: 'InvalidOptions' }),
    );
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst of 100 through at once, then spaces keys 100 ms apart (10 qps) by default', () => {
    const limiter = new BucketRateLimiter({ clock: new FakeClock() });
    const all = Array.from({ length: 103 }, (_, i) => limiter.when(`ns/k${i}`));
    expect(all.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(all.slice(100)).toEqual([100, 200, 300]);
    expect(limiter.numRequeues('ns/k0')).toBe(0);
  });

  it('refills at qps up to burst as clock time passes', async () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter({ qps: 2, burst: 3, clock });
    expect(delays(limiter, 'k', 4)).toEqual([0, 0, 0, 500]);
    await clock.advance(1_500); // pays the reservation and refills two tokens
    expect(delays(limiter, 'k', 3)).toEqual([0, 0, 500]);
    await clock.advance(60_000);
    expect(delays(limiter, 'k', 4)).toEqual([0, 0, 0, 500]);
  });

  it('never delays when qps is Infinity', () => {
    const limiter = new BucketRateLimiter({ qps: Infinity, burst: 1, clock: new FakeClock() });
    expect(delays(limiter, 'k', 1000).every((d) => d === 0)).toBe(true);
  });

  it('rejects a non-positive qps or a burst below 1 with InvalidOptions', () => {
    expect(() => new BucketRateLimiter({ qps: 0 })).toThrow(WorkqueueError);
    expect(() => new BucketRateLimiter({ burst: 0.5 })).toThrow(WorkqueueError);
  });
});

describe('MaxOfRateLimiter', () => {
  it('returns the largest delay, the largest requeue count, and forgets in every limiter', () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter({
      limiters: [new ItemExponentialFailureRateLimiter({ baseDelayMs: 10 }), new BucketRateLimiter({ qps: 1, burst: 2, clock })],
    });
    expect(delays(limiter, 'ns/a', 4)).toEqual([10, 20, 1_000, 2_000]);
    expect(limiter.numRequeues('ns/a')).toBe(4);
    limiter.forget('ns/a');
    expect(limiter.numRequeues('ns/a')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is the max of 5 ms→1000 s per-key backoff and a 10 qps burst 100 bucket, each overridable', () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter({ clock });
    expect(delays(limiter, 'ns/a', 3)).toEqual([5, 10, 20]);
    const fresh = Array.from({ length: 97 }, (_, i) => limiter.when(`ns/k${i}`));
    expect(new Set(fresh)).toEqual(new Set([5]));
    expect(limiter.when('ns/new')).toBe(100);

    const tuned = defaultControllerRateLimiter({ clock, baseDelayMs: 1, maxDelayMs: 3, qps: 1, burst: 1 });
    expect(delays(tuned, 'ns/a', 1)).toEqual([1]);
    expect(delays(tuned, 'ns/b', 1)).toEqual([1_000]);
  });
});
