import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { DefaultRetry, retryOnConflict, retryOnError } from '../../../runtime/src/helpers/retry.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

const conflict = (): ApiError => new ApiError({ status: 409, method: 'PUT', path: '/x', body: { reason: 'Conflict', message: 'modified' } });
const invalid = (): ApiError => new ApiError({ status: 422, method: 'PUT', path: '/x', body: { reason: 'Invalid', message: 'bad' } });

describe('retryOnConflict (client-go DefaultRetry: 5 steps, 10 ms, factor 1, jitter 0.1)', () => {
  it('is client-go DefaultRetry by default', () => {
    expect(DefaultRetry).toEqual({ steps: 5, durationMs: 10, factor: 1, jitter: 0.1 });
  });

  it('retries conflicts 10 ms apart (plus up to 10 % jitter) and resolves with the first success', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const run = retryOnConflict(
      async () => {
        at.push(clock.now());
        if (at.length < 3) throw conflict();
        return 'ok';
      },
      { clock, random: () => 0.5 },
    );
    await clock.advance(100);
    await expect(run).resolves.toBe('ok');
    expect(at).toEqual([0, 10.5, 21]);
  });

  it('gives up after 5 attempts with the last conflict', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const run = retryOnConflict(
      async () => {
        calls++;
        throw conflict();
      },
      { clock, random: () => 0 },
    );
    const settled = run.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await clock.advance(1_000);
    expect(await settled).toMatchObject({ reason: 'Conflict' });
    expect(calls).toBe(5);
  });

  it('does not retry other errors', async () => {
    const clock = new FakeClock();
    let calls = 0;
    await expect(
      retryOnConflict(
        async () => {
          calls++;
          throw invalid();
        },
        { clock },
      ),
    ).rejects.toMatchObject({ reason: 'Invalid' });
    expect(calls).toBe(1);
  });

  it('retryOnError grows the wait by the factor, caps it, and rejects with the abort reason when the signal aborts', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const ctl = new AbortController();
    const run = retryOnError(
      () => true,
      async () => {
        at.push(clock.now());
        throw new Error('flaky');
      },
      { clock, random: () => 0, backoff: { steps: 10, durationMs: 10, factor: 5, jitter: 0, capMs: 300 }, signal: ctl.signal },
    );
    const settled = run.catch((err: unknown) => err);
    await clock.advance(10 + 50 + 250 + 300);
    expect(at).toEqual([0, 10, 60, 310, 610]);
    ctl.abort(new Error('stop'));
    expect(await settled).toMatchObject({ message: 'stop' });
  });
});
