import { describe, expect, it } from 'vitest';
import { RateLimitingQueue, Workqueue, WorkqueueError } from '../../../runtime/src/queue/index.js';
import { sleep } from '../../../runtime/src/util/clock.js';
import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';

function settled<T>(promise: Promise<T>): { readonly done: boolean } {
  const state = { done: false };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

describe('Workqueue.process', () => {
  it('runs every key with at most `concurrency` keys in flight', async () => {
    const clock = new FakeClock();
    const queue = new Workqueue({ clock });
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    const running = queue.process(
      async (key) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seen.push(key);
        await sleep(clock, 10);
        inFlight--;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 10; i++) queue.add(`ns/k${i}`);
    await clock.advance(40);
    queue.shutDown();
    await running;
    expect(maxInFlight).toBe(3);
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `ns/k${i}`).sort());
  });

  it('resolves only after shutdown once in-flight keys are done', async () => {
    const clock = new FakeClock();
    const queue = new Workqueue({ clock });
    const running = queue.process(() => sleep(clock, 100), { concurrency: 2 });
    const state = settled(running);
    queue.add('ns/a');
    await clock.advance(10);
    queue.shutDown();
    await clock.advance(10);
    expect(state.done).toBe(false);
    await clock.advance(80);
    expect(state.done).toBe(true);
    await expect(running).resolves.toBeUndefined();
  });

  it('stops taking keys when its signal aborts, after the current keys finish, leaving the rest queued', async () => {
    const clock = new FakeClock();
    const queue = new Workqueue({ clock });
    const controller = new AbortController();
    const seen: string[] = [];
    const running = queue.process(
      async (key) => {
        seen.push(key);
        await sleep(clock, 10);
      },
      { signal: controller.signal },
    );
    const state = settled(running);
    queue.add('ns/a');
    queue.add('ns/b');
    await flushMicrotasks();
    controller.abort();
    await flushMicrotasks();
    expect(state.done).toBe(false);
    await clock.advance(10);
    expect(state.done).toBe(true);
    expect(seen).toEqual(['ns/a']);
    expect(queue.length).toBe(1);
    expect(queue.shuttingDown).toBe(false);
  });

  it('calls done in finally, so a key added during a failing run runs again', async () => {
    const clock = new FakeClock();
    const queue = new Workqueue({ clock });
    const errors: string[] = [];
    let runs = 0;
    const running = queue.process(
      (key) => {
        runs++;
        if (runs === 1) {
          queue.add(key);
          throw new Error('boom');
        }
      },
      { onError: (error, key) => errors.push(`${key}: ${(error as Error).message}`) },
    );
    queue.add('ns/a');
    await flushMicrotasks();
    queue.shutDown();
    await running;
    expect(runs).toBe(2);
    expect(errors).toEqual(['ns/a: boom']);
  });

  it('retries a failing key with rate limiting when onError calls addRateLimited', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    const runsAt: number[] = [];
    const running = queue.process(
      (key) => {
        runsAt.push(clock.now());
        if (runsAt.length < 4) throw new Error('not yet');
        queue.forget(key);
      },
      { onError: (_error, key) => queue.addRateLimited(key) },
    );
    queue.add('ns/a');
    await clock.advance(100);
    queue.shutDown();
    await running;
    expect(runsAt).toEqual([0, 5, 15, 35]);
    expect(queue.numRequeues('ns/a')).toBe(0);
  });

  it('without onError, a throw stops every worker and rejects with ProcessorFailed carrying the cause', async () => {
    const clock = new FakeClock();
    const queue = new Workqueue({ clock });
    const cause = new Error('reconciler bug');
    const seen: string[] = [];
    const running = queue.process(
      async (key) => {
        seen.push(key);
        if (key === 'ns/bad') throw cause;
        await sleep(clock, 10);
      },
      { concurrency: 2 },
    );
    const state = settled(running);
    queue.add('ns/slow');
    queue.add('ns/bad');
    queue.add('ns/later');
    await flushMicrotasks();
    expect(state.done).toBe(false);
    await clock.advance(10);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkqueueError);
    expect(error).toMatchObject({ reason: 'ProcessorFailed', cause, retryable: false });
    expect(seen).toEqual(['ns/slow', 'ns/bad']);
    expect(queue.length).toBe(1);
  });

  it('treats a throwing onError like a throwing fn', async () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    const running = queue.process(
      () => {
        throw new Error('first');
      },
      {
        onError: () => {
          throw new Error('handler');
        },
      },
    );
    queue.add('ns/a');
    await expect(running).rejects.toMatchObject({ reason: 'ProcessorFailed', cause: new Error('handler') });
  });

  it('rejects a concurrency that is not a positive integer, synchronously', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => queue.process(() => {}, { concurrency })).toThrow(
        expect.objectContaining({ reason: 'InvalidOptions' }),
      );
    }
  });

  it('yields to the event loop while a synchronous fn works through a large backlog', async () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    for (let i = 0; i < 10_000; i++) queue.add(`ns/k${i}`);
    let processed = 0;
    let processedWhenTimerFired = -1;
    setImmediate(() => (processedWhenTimerFired = processed));
    const running = queue.process(() => void processed++);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    queue.shutDown();
    await running;
    expect(processed).toBe(10_000);
    expect(processedWhenTimerFired).toBeGreaterThanOrEqual(0);
    expect(processedWhenTimerFired).toBeLessThan(10_000);
  });
});
