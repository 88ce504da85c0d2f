import { describe, expect, it } from 'vitest';
import { DelayingQueue, type WorkqueueMetrics } from '../../../runtime/src/queue/index.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

function setup(): { clock: FakeClock; queue: DelayingQueue } {
  const clock = new FakeClock();
  return { clock, queue: new DelayingQueue({ clock }) };
}

describe('DelayingQueue', () => {
  it('adds a key once its delay has elapsed on the clock', async () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/a', 100);
    await clock.advance(99);
    expect(queue.length).toBe(0);
    expect(queue.delayedLength).toBe(1);
    await clock.advance(1);
    expect(queue.tryGet()).toBe('ns/a');
    expect(queue.delayedLength).toBe(0);
  });

  it('adds at once when the delay is zero, negative or NaN', () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/a', 0);
    queue.addAfter('ns/b', -5);
    queue.addAfter('ns/c', Number.NaN);
    expect(queue.length).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not delay a waiting key when a later addAfter asks for a later time', async () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/a', 100);
    await clock.advance(50);
    queue.addAfter('ns/a', 500);
    expect(queue.delayedLength).toBe(1);
    await clock.advance(50);
    expect(queue.tryGet()).toBe('ns/a');
    queue.done('ns/a');
    await clock.advance(1_000);
    expect(queue.length).toBe(0);
  });

  it('moves a waiting key up when a later addAfter asks for an earlier time', async () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/a', 1_000);
    queue.addAfter('ns/a', 10);
    expect(queue.delayedLength).toBe(1);
    await clock.advance(10);
    expect(queue.tryGet()).toBe('ns/a');
    queue.done('ns/a');
    await clock.advance(1_000);
    expect(queue.length).toBe(0);
  });

  it('makes keys ready in order of ready time, ties in order of scheduling', async () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/c', 30);
    queue.addAfter('ns/a', 10);
    queue.addAfter('ns/b', 20);
    queue.addAfter('ns/b2', 20);
    await clock.advance(30);
    expect([queue.tryGet(), queue.tryGet(), queue.tryGet(), queue.tryGet()]).toEqual(['ns/a', 'ns/b', 'ns/b2', 'ns/c']);
  });

  it('keeps a single clock timer, for the earliest ready time', async () => {
    const { clock, queue } = setup();
    for (let i = 0; i < 100; i++) queue.addAfter(`ns/k${i}`, 1_000 - i);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(901);
    expect(queue.length).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(99);
    expect(queue.length).toBe(100);
    expect(clock.pendingTimers).toBe(0);
  });

  it('re-runs a key whose delay elapses while it is processing, once, after done', async () => {
    const { clock, queue } = setup();
    queue.add('ns/a');
    const key = queue.tryGet() ?? '';
    queue.addAfter(key, 10);
    await clock.advance(10);
    expect(queue.length).toBe(0);
    queue.done(key);
    expect(queue.tryGet()).toBe('ns/a');
  });

  it('drops waiting keys and cancels the timer on shutDown, and ignores addAfter afterwards', async () => {
    const { clock, queue } = setup();
    queue.addAfter('ns/a', 10);
    queue.shutDown();
    queue.addAfter('ns/b', 10);
    queue.addAfter('ns/c', 0);
    expect(clock.pendingTimers).toBe(0);
    expect(queue.delayedLength).toBe(0);
    await clock.advance(100);
    expect(queue.length).toBe(0);
  });

  it('counts every addAfter as a retry in the metrics', () => {
    let retries = 0;
    const metrics: WorkqueueMetrics = {
      add() {},
      depth() {},
      latency() {},
      workDuration() {},
      retry: () => void retries++,
      unfinishedWork() {},
    };
    const queue = new DelayingQueue({ clock: new FakeClock(), metrics });
    queue.addAfter('ns/a', 10);
    queue.addAfter('ns/a', 0);
    expect(retries).toBe(2);
  });
});
