import { describe, expect, it } from 'vitest';
import { RateLimitingQueue, WorkqueueError, type RateLimiter } from '../../../runtime/src/queue/index.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

describe('RateLimitingQueue', () => {
  it('delays each retry of a key by its doubling backoff, starting at 5 ms', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    const readyAfter: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const start = clock.now();
      queue.addRateLimited('ns/a');
      while (queue.length === 0) await clock.advance(1);
      readyAfter.push(clock.now() - start);
      queue.done(queue.tryGet() ?? '');
    }
    expect(readyAfter).toEqual([5, 10, 20, 40]);
    expect(queue.numRequeues('ns/a')).toBe(4);
  });

  it('forget resets a key so its next retry waits the base delay again', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock, rateLimit: { baseDelayMs: 100 } });
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a');
    await clock.advance(100);
    queue.done(queue.tryGet() ?? '');
    queue.forget('ns/a');
    expect(queue.numRequeues('ns/a')).toBe(0);
    queue.addRateLimited('ns/a');
    await clock.advance(100);
    expect(queue.tryGet()).toBe('ns/a');
  });

  it('delays fresh keys by the overall token bucket once its burst is spent', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock, rateLimit: { qps: 10, burst: 2 } });
    for (const key of ['ns/a', 'ns/b', 'ns/c', 'ns/d']) queue.addRateLimited(key);
    await clock.advance(5);
    expect(queue.length).toBe(2);
    await clock.advance(95);
    expect(queue.length).toBe(3);
    await clock.advance(100);
    expect(queue.length).toBe(4);
  });

  it('uses a custom rate limiter when one is given', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    const rateLimiter: RateLimiter = {
      when: (key) => (calls.push(`when ${key}`), 1_000),
      forget: (key) => void calls.push(`forget ${key}`),
      numRequeues: () => 7,
    };
    const queue = new RateLimitingQueue({ clock, rateLimiter });
    queue.addRateLimited('ns/a');
    await clock.advance(999);
    expect(queue.length).toBe(0);
    await clock.advance(1);
    expect(queue.length).toBe(1);
    queue.forget('ns/a');
    expect(queue.numRequeues('ns/a')).toBe(7);
    expect(calls).toEqual(['when ns/a', 'forget ns/a']);
  });

  it('ignores addRateLimited after shutDown without recording a failure', () => {
    const queue = new RateLimitingQueue({ clock: new FakeClock() });
    queue.shutDown();
    queue.addRateLimited('ns/a');
    expect(queue.numRequeues('ns/a')).toBe(0);
    expect(queue.delayedLength).toBe(0);
  });

  it('rejects rateLimit together with rateLimiter, and out-of-range limits, with InvalidOptions', () => {
    const rateLimiter: RateLimiter = { when: () => 0, forget() {}, numRequeues: () => 0 };
    expect(() => new RateLimitingQueue({ rateLimit: {}, rateLimiter })).toThrow(
      expect.objectContaining({ name: 'WorkqueueError', reason: 'InvalidOptions' }),
    );
    expect(() => new RateLimitingQueue({ rateLimit: { burst: 0 } })).toThrow(WorkqueueError);
  });
});
