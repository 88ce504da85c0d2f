import { describe, expect, it } from 'vitest';
import { Deadlines, startDeadline } from '../../../runtime/src/client/deadline.js';
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

describe('Deadlines: one timer for the calls of one duration (fake clock)', () => {
  const io = () => {
    const destroyed: Array<Error | undefined> = [];
    return { destroyed, destroy: (e?: Error) => destroyed.push(e) };
  };

  it('aborts each call exactly at its own start + ms, with one timer pending however many calls are in flight', async () => {
    const clock = new FakeClock();
    const expired: number[] = [];
    const d = new Deadlines({ clock, ms: 1000, onExpire: (c) => expired.push(c.at) });
    const a = d.start();
    const ioA = io();
    a.attach(ioA);
    await clock.advance(300);
    const b = d.start();
    const ioB = io();
    b.attach(ioB);
    await clock.advance(200);
    const c = d.start();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(499);
    expect(a.aborted).toBe(false);
    await clock.advance(1);
    expect([a.aborted, a.expired, b.aborted]).toEqual([true, true, false]);
    expect(ioA.destroyed[0]?.message).toBe('deadline of 1000 ms passed');
    await clock.advance(299);
    expect(b.aborted).toBe(false);
    await clock.advance(1);
    expect([b.expired, ioB.destroyed.length, c.aborted]).toEqual([true, 1, false]);
    await clock.advance(200);
    expect(c.expired).toBe(true);
    expect(expired).toEqual([1000, 1300, 1500]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires a finished call: the timer armed for it moves on to the next call, and none is left once all finished', async () => {
    const clock = new FakeClock();
    let fired = 0;
    const d = new Deadlines({ clock, ms: 1000, onExpire: () => fired++ });
    const a = d.start();
    await clock.advance(600);
    const b = d.start();
    d.finish(a);
    await clock.advance(400); // a's time: nothing is due, the timer re-arms for b
    expect([fired, b.aborted, clock.pendingTimers]).toEqual([0, false, 1]);
    await clock.advance(600);
    expect([fired, b.expired]).toEqual([1, true]);
    const c = d.start();
    d.finish(c);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect([fired, c.aborted, d.size]).toEqual([1, false, 0]);
  });

  it('follows the caller signal without counting as expired, destroys the I/O at once when attached after an abort, and 0 ms means no deadline', async () => {
    const clock = new FakeClock();
    const d = new Deadlines({ clock, ms: 1000 });
    const parent = new AbortController();
    const a = d.start(parent.signal);
    parent.abort(new Error('caller gave up'));
    expect([a.aborted, a.expired, (a.reason as Error).message]).toEqual([true, false, 'caller gave up']);
    const late = io();
    a.attach(late);
    expect(late.destroyed[0]?.message).toBe('caller gave up');
    expect(clock.pendingTimers).toBe(0);
    const gone = new AbortController();
    gone.abort('already');
    expect(d.start(gone.signal).aborted).toBe(true);
    const none = new Deadlines({ clock, ms: 0 }).start();
    await clock.advance(1e9);
    expect([none.aborted, none.at, clock.pendingTimers]).toEqual([false, Infinity, 0]);
  });
});
