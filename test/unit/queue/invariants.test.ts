import { describe, expect, it } from 'vitest';
import { RateLimitingQueue } from '../../../runtime/src/queue/index.js';
import { sleep } from '../../../runtime/src/util/clock.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  readonly overlaps: string[];
  readonly lost: string[];
  readonly extraRuns: string[];
  readonly maxInFlight: number;
  readonly runs: number;
}

/**
 * Drives a queue with 4 workers through random adds, delayed adds, rate-limited retries and
 * forgets (from the test and from inside running workers), random work durations and failures.
 * Every add variant is a "call" event, every run start a "start" event, on one global sequence.
 */
async function simulate(seed: number): Promise<Outcome> {
  const random = prng(seed);
  const int = (max: number): number => Math.floor(random() * (max + 1));
  const clock = new FakeClock();
  const queue = new RateLimitingQueue({ clock, rateLimit: { maxDelayMs: 200, qps: 50, burst: 5 } });
  const keys = Array.from({ length: 6 }, (_, i) => `ns/k${i}`);
  let seq = 0;
  const lastCall = new Map<string, number>();
  const lastStart = new Map<string, number>();
  const calls = new Map<string, number>();
  const starts = new Map<string, number>();
  const running = new Set<string>();
  const overlaps: string[] = [];
  let maxInFlight = 0;
  let runs = 0;

  const call = (key: string): void => {
    lastCall.set(key, ++seq);
    calls.set(key, (calls.get(key) ?? 0) + 1);
  };

  const work = async (key: string): Promise<void> => {
    if (running.has(key)) overlaps.push(`${key} at t=${clock.now()}`);
    running.add(key);
    maxInFlight = Math.max(maxInFlight, running.size);
    lastStart.set(key, ++seq);
    starts.set(key, (starts.get(key) ?? 0) + 1);
    runs++;
    try {
      const r = random();
      if (r < 0.4) await sleep(clock, 1 + int(15));
      else if (r < 0.55) await Promise.resolve();
      if (random() < 0.15) {
        call(key);
        queue.add(key);
      }
      if (random() < 0.15) {
        call(key);
        queue.addAfter(key, int(20));
      }
      if (random() < 0.15) throw new Error('transient');
      queue.forget(key);
    } finally {
      running.delete(key);
    }
  };

  const processing = queue.process(work, {
    concurrency: 4,
    onError: (_error, key) => {
      call(key);
      queue.addRateLimited(key);
    },
  });

  for (let step = 0; step < 300; step++) {
    const key = keys[int(keys.length - 1)] ?? 'ns/k0';
    const r = random();
    if (r < 0.5) {
      call(key);
      queue.add(key);
    } else if (r < 0.75) {
      call(key);
      queue.addAfter(key, int(40));
    } else if (r < 0.9) {
      call(key);
      queue.addRateLimited(key);
    } else {
      queue.forget(key);
    }
    if (random() < 0.6) await clock.advance(int(4));
  }

  for (let i = 0; i < 10_000 && (queue.length > 0 || queue.delayedLength > 0 || running.size > 0); i++) {
    await clock.advance(5);
  }
  queue.shutDown();
  await processing;

  const lost = keys.filter((key) => (lastCall.get(key) ?? 0) > (lastStart.get(key) ?? 0));
  const extraRuns = keys.filter((key) => (starts.get(key) ?? 0) > (calls.get(key) ?? 0));
  return { overlaps, lost, extraRuns, maxInFlight, runs };
}

describe('workqueue invariants under random concurrent use', () => {
  it('never runs two workers on one key, processes every add after a key was last taken, and never runs a key more often than it was added', async () => {
    let concurrentSeeds = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const outcome = await simulate(seed);
      expect(outcome.overlaps, `seed ${seed}: overlapping runs`).toEqual([]);
      expect(outcome.lost, `seed ${seed}: keys added after their last run`).toEqual([]);
      expect(outcome.extraRuns, `seed ${seed}: keys run more often than added`).toEqual([]);
      expect(outcome.runs, `seed ${seed}`).toBeGreaterThan(50);
      if (outcome.maxInFlight > 1) concurrentSeeds++;
    }
    expect(concurrentSeeds).toBe(30);
  });
});
