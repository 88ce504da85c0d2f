import { describe, expect, it } from 'vitest';
import { eventually, EventuallyTimeoutError } from '../../../runtime/src/testing/eventually.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

describe('eventually (polling with a deadline, on an injected clock)', () => {
  it('retries a throwing check every intervalMs and resolves with the first passing value', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const run = eventually(
      ({ attempt }) => {
        at.push(clock.now());
        if (attempt < 4) throw new Error(`not ready (${attempt})`);
        return 'ready';
      },
      { clock, intervalMs: 50, timeoutMs: 1000 },
    );
    await clock.advance(150);
    await expect(run).resolves.toBe('ready');
    expect(at).toEqual([0, 50, 100, 150]);
  });

  it('treats false as not yet, and any other value (undefined from an assertion block included) as passed', async () => {
    const clock = new FakeClock();
    let n = 0;
    const predicate = eventually(() => ++n >= 3, { clock, intervalMs: 10 });
    await clock.advance(20);
    await expect(predicate).resolves.toBe(true);
    await expect(eventually(() => undefined, { clock })).resolves.toBeUndefined();
  });

  it('fails after timeoutMs naming the description, the attempts and the last error, with that error as cause', async () => {
    const clock = new FakeClock();
    const last = new Error('expected "Pending" to be "Ready"');
    let attempts = 0;
    const run = eventually(
      () => {
        attempts++;
        throw attempts < 3 ? new Error('connection refused') : last;
      },
      { clock, intervalMs: 100, timeoutMs: 250, description: 'the Ready condition of widget a' },
    );
    const failed = run.catch((err: unknown) => err);
    await clock.advance(250);
    const err = await failed;
    expect(err).toBeInstanceOf(EventuallyTimeoutError);
    expect((err as Error).message).toBe(
      'eventually: the Ready condition of widget a did not pass within 250 ms (3 attempts, every 100 ms); last error: expected "Pending" to be "Ready"',
    );
    expect((err as Error).cause).toBe(last);
    expect((err as EventuallyTimeoutError).attempts).toBe(3);
  });

  it('says when the check last returned false', async () => {
    const clock = new FakeClock();
    const failed = eventually(() => false, { clock, intervalMs: 40, timeoutMs: 100 }).catch((err: unknown) => err);
    await clock.advance(100);
    expect(((await failed) as Error).message).toMatch(/did not pass within 100 ms \(3 attempts, every 40 ms\); the check last returned false$/);
  });

  it('rejects at the deadline while an attempt still hangs, and aborts that attempt\'s signal', async () => {
    const clock = new FakeClock();
    let attemptSignal: AbortSignal | undefined;
    const failed = eventually(({ signal }) => {
      attemptSignal = signal;
      return new Promise<never>(() => undefined);
    }, { clock, timeoutMs: 500 }).catch((err: unknown) => err);
    await clock.advance(499);
    expect(attemptSignal?.aborted).toBe(false);
    await clock.advance(1);
    expect(((await failed) as Error).message).toMatch(/\(1 attempt, every 100 ms\); no attempt finished$/);
    expect(attemptSignal?.aborted).toBe(true);
  });

  it('stops at once with the reason when the caller\'s signal aborts, and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const failed = eventually(() => false, { clock, signal: ctl.signal }).catch((err: unknown) => err);
    await clock.advance(250);
    ctl.abort(new Error('test over'));
    expect(((await failed) as Error).message).toBe('test over');
    expect(clock.pendingTimers).toBe(0);
  });

  it('leaves no timer behind once it passed', async () => {
    const clock = new FakeClock();
    await eventually(() => 'x', { clock });
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a negative timeout or interval with a message naming them', async () => {
    await expect(eventually(() => true, { timeoutMs: -1 })).rejects.toThrow('eventually: timeoutMs and intervalMs must be numbers ≥ 0, got -1 and 100');
  });
});
