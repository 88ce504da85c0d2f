import { describe, expect, it } from 'vitest';
import { Workqueue, type UnfinishedWork, type WorkqueueMetrics } from '../../../runtime/src/queue/index.js';
import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';

/** Takes every queued key without waiting. */
function drain(queue: Workqueue): string[] {
  const keys: string[] = [];
  for (let key = queue.tryGet(); key !== undefined; key = queue.tryGet()) keys.push(key);
  return keys;
}

describe('Workqueue', () => {
  it('hands keys out in the order they were first added', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    for (const key of ['ns/a', 'ns/b', 'ns/c']) queue.add(key);
    expect(drain(queue)).toEqual(['ns/a', 'ns/b', 'ns/c']);
  });

  it('queues a dirty key once however often it is added', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    queue.add('ns/a');
    expect(queue.length).toBe(2);
    expect(drain(queue)).toEqual(['ns/a', 'ns/b']);
  });

  it('does not queue a processing key when it is added, and queues it once when done', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    queue.add('ns/a');
    expect(queue.tryGet()).toBe('ns/a');
    for (let i = 0; i < 5; i++) queue.add('ns/a');
    expect(queue.length).toBe(0);
    expect(queue.tryGet()).toBeUndefined();
    queue.done('ns/a');
    expect(drain(queue)).toEqual(['ns/a']);
  });

  it('runs a key exactly once more after any number of adds during its run', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    queue.add('ns/a');
    let runs = 0;
    for (let key = queue.tryGet(); key !== undefined; key = queue.tryGet()) {
      runs++;
      if (runs === 1) for (let i = 0; i < 100; i++) queue.add(key);
      queue.done(key);
    }
    expect(runs).toBe(2);
  });

  it('does not re-queue a key that was not added during its run', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    queue.add('ns/a');
    queue.done(queue.tryGet() ?? '');
    expect(queue.length).toBe(0);
  });

  it('ignores done for a key that is not processing, so a double done cannot queue a key twice', () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    queue.add('ns/a');
    queue.done('ns/a');
    queue.done('ns/a');
    expect(drain(queue)).toEqual(['ns/a']);
    queue.done('ns/a');
    queue.done('ns/a');
    expect(queue.length).toBe(0);
  });

  it('resolves a waiting get with the next added key, serving waiting getters in arrival order', async () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    const first = queue.get();
    const second = queue.get();
    queue.add('ns/a');
    queue.add('ns/b');
    expect(await first).toBe('ns/a');
    expect(await second).toBe('ns/b');
    queue.add('ns/a');
    expect(queue.length).toBe(0);
  });

  it('resolves get with undefined when its signal aborts, and the key goes to the next getter', async () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    const controller = new AbortController();
    const aborted = queue.get(controller.signal);
    const waiting = queue.get();
    controller.abort();
    expect(await aborted).toBeUndefined();
    queue.add('ns/a');
    expect(await waiting).toBe('ns/a');
    expect(await queue.get(AbortSignal.abort())).toBeUndefined();
  });

  it('registers one abort listener per signal however many gets wait on it, and an abort wakes exactly the gets of that signal', async () => {
    const queue = new Workqueue({ clock: new FakeClock() });
    const first = new AbortController();
    const second = new AbortController();
    let listeners = 0;
    const add = first.signal.addEventListener.bind(first.signal);
    first.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof first.signal.addEventListener;
    const gets = Array.from({ length: 5 }, () => queue.get(first.signal));
    const other = queue.get(second.signal);
    queue.add('ns/a');
    expect(await gets[0]).toBe('ns/a');
    queue.done('ns/a');
    const again = queue.get(first.signal);
    expect(listeners).toBe(1);
    first.abort();
    expect(await Promise.all([...gets.slice(1), again])).toEqual([undefined, undefined, undefined, undefined, undefined]);
    queue.add('ns/b');
    expect(await other).toBe('ns/b');
  });

  describe('shutdown', () => {
    it('drops adds after shutDown', () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      queue.shutDown();
      queue.add('ns/a');
      expect(queue.length).toBe(0);
      expect(queue.shuttingDown).toBe(true);
    });

    it('wakes waiting getters with undefined', async () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      const getters = [queue.get(), queue.get()];
      queue.shutDown();
      expect(await Promise.all(getters)).toEqual([undefined, undefined]);
      expect(await queue.get()).toBeUndefined();
    });

    it('still hands out keys queued before shutDown, and re-queues keys made dirty before it', async () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      queue.add('ns/a');
      queue.add('ns/b');
      expect(queue.tryGet()).toBe('ns/a');
      queue.add('ns/a');
      queue.shutDown();
      expect(await queue.get()).toBe('ns/b');
      queue.done('ns/a');
      expect(await queue.get()).toBe('ns/a');
      expect(await queue.get()).toBeUndefined();
    });

    it('shutDownWithDrain resolves true once every processing key is done', async () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      queue.add('ns/a');
      queue.add('ns/b');
      const a = queue.tryGet() ?? '';
      const b = queue.tryGet() ?? '';
      let drained: boolean | undefined;
      void queue.shutDownWithDrain().then((result) => (drained = result));
      queue.done(a);
      await flushMicrotasks();
      expect(drained).toBeUndefined();
      queue.done(b);
      await flushMicrotasks();
      expect(drained).toBe(true);
    });

    it('shutDownWithDrain resolves true at once when nothing is processing', async () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      await expect(queue.shutDownWithDrain()).resolves.toBe(true);
    });

    it('shutDownWithDrain resolves false when its timeout elapses first, and cancels its timer when drained', async () => {
      const clock = new FakeClock();
      const queue = new Workqueue({ clock });
      queue.add('ns/a');
      queue.add('ns/b');
      queue.tryGet();
      let result: boolean | undefined;
      void queue.shutDownWithDrain({ timeoutMs: 1000 }).then((r) => (result = r));
      await clock.advance(999);
      expect(result).toBeUndefined();
      await clock.advance(1);
      expect(result).toBe(false);

      const other = new Workqueue({ clock });
      other.add('ns/a');
      other.tryGet();
      const drained = other.shutDownWithDrain({ timeoutMs: 1000 });
      other.done('ns/a');
      expect(await drained).toBe(true);
      expect(clock.pendingTimers).toBe(0);
    });

    it('shutDownWithDrain resolves false when its signal aborts first', async () => {
      const queue = new Workqueue({ clock: new FakeClock() });
      queue.add('ns/a');
      queue.tryGet();
      const controller = new AbortController();
      const drained = queue.shutDownWithDrain({ signal: controller.signal });
      controller.abort();
      expect(await drained).toBe(false);
      expect(await queue.shutDownWithDrain({ signal: AbortSignal.abort() })).toBe(false);
    });
  });

  describe('metrics', () => {
    function recorder(): { metrics: WorkqueueMetrics; events: string[]; probe: () => UnfinishedWork } {
      const events: string[] = [];
      let probe: () => UnfinishedWork = () => ({ totalMs: Number.NaN, longestMs: Number.NaN });
      const metrics: WorkqueueMetrics = {
        add: () => events.push('add'),
        depth: (n) => events.push(`depth ${n}`),
        latency: (ms) => events.push(`latency ${ms}`),
        workDuration: (ms) => events.push(`work ${ms}`),
        retry: () => events.push('retry'),
        unfinishedWork: (p) => (probe = p),
      };
      return { metrics, events, probe: () => probe() };
    }

    it('reports accepted adds, depth, time queued and time processing on the injected clock', async () => {
      const clock = new FakeClock();
      const { metrics, events } = recorder();
      const queue = new Workqueue({ clock, metrics });
      queue.add('ns/a');
      queue.add('ns/a');
      await clock.advance(30);
      const key = queue.tryGet() ?? '';
      queue.add('ns/a');
      await clock.advance(20);
      queue.done(key);
      expect(events).toEqual(['add', 'depth 1', 'depth 0', 'latency 30', 'add', 'work 20', 'depth 1']);
    });

    it('reports unfinished work and the longest-running key through the scrape probe', async () => {
      const clock = new FakeClock({ start: 1_000 });
      const { metrics, probe } = recorder();
      const queue = new Workqueue({ clock, metrics });
      expect(probe()).toEqual({ totalMs: 0, longestMs: 0 });
      queue.add('ns/a');
      queue.add('ns/b');
      queue.tryGet();
      await clock.advance(100);
      queue.tryGet();
      await clock.advance(50);
      expect(probe()).toEqual({ totalMs: 150 + 50, longestMs: 150 });
      queue.done('ns/a');
      expect(probe()).toEqual({ totalMs: 50, longestMs: 50 });
    });
  });
});
