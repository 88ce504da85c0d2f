import { describe, expect, it } from 'vitest';
import { startDeadline } from '../../../runtime/src/client/deadline.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

describe('startDeadline (fake clock)', () => {
  it('aborts its signal when the time is up, and says it expired', async () => {
    const clock = new FakeClock();
    let fired = 0;
    const d = startDeadline({ clock, ms: 1000, onExpire: () => fired++ });
    await clock.advance(999);
    expect(d.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(d.signal.aborted).toBe(true);
    expect(d.expired).toBe(true);
    expect(fired).toBe(1);
  });

  it('follows the parent signal without counting as expired', () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const d = startDeadline({ clock, ms: 1000, parent: parent.signal });
    parent.abort();
    expect(d.signal.aborted).toBe(true);
    expect(d.expired).toBe(false);
    d.cancel();
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires once cancelled, and has no timer for 0 or Infinity', async () => {
    const clock = new FakeClock();
    const d = startDeadline({ clock, ms: 1000 });
    d.cancel();
    await clock.advance(5000);
    expect(d.signal.aborted).toBe(false);
    expect(startDeadline({ clock, ms: 0 }).signal.aborted).toBe(false);
    startDeadline({ clock, ms: Infinity });
    expect(clock.pendingTimers).toBe(0);
  });

  it('clearTimer stops the deadline but keeps following the parent (an open watch)', async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const d = startDeadline({ clock, ms: 1000, parent: parent.signal });
    d.clearTimer();
    await clock.advance(5000);
    expect(d.signal.aborted).toBe(false);
    parent.abort();
    expect(d.signal.aborted).toBe(true);
  });
});
