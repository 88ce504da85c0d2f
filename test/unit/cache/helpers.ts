import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';

/** Consumes an async iterable in the background, recording what it yields and how it ended. */
export function collect<T>(iterable: AsyncIterable<T>): { events: T[]; done: Promise<void>; readonly error: unknown; readonly finished: boolean } {
  const events: T[] = [];
  let error: unknown;
  let finished = false;
  const done = (async () => {
    try {
      for await (const event of iterable) events.push(event);
    } catch (err) {
      error = err;
    } finally {
      finished = true;
    }
  })();
  return {
    events,
    done,
    get error() {
      return error;
    },
    get finished() {
      return finished;
    },
  };
}

/**
 * Advances fake time in small steps until `condition` holds; fails after `maxMs` of fake time.
 * Returns the fake time it took.
 */
export async function until(clock: FakeClock, condition: () => boolean, options: { stepMs?: number; maxMs?: number } = {}): Promise<number> {
  const step = options.stepMs ?? 10;
  const max = options.maxMs ?? 120_000;
  const start = clock.now();
  await flushMicrotasks();
  while (!condition()) {
    if (clock.now() - start > max) throw new Error(`condition not met within ${max} ms of fake time`);
    await clock.advance(step);
  }
  return clock.now() - start;
}

export { FakeClock, flushMicrotasks };
