import { describe, expect, it } from 'vitest';
import { Lease } from '../../../runtime/src/api/builtins.js';
import { LeaderElectionError, LeaderElectionLostError } from '../../../runtime/src/leader/errors.js';
import { LeaseElector, type LeaseElectorOptions } from '../../../runtime/src/leader/elector.js';
import { fencedClient } from '../../../runtime/src/leader/fence.js';
import type { Clock } from '../../../runtime/src/util/clock.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { MemoryClient } from '../../support/memory-client.js';

const KEY = { namespace: 'ns', name: 'op-lock' };
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A fake clock whose `now()` can jump ahead without firing timers: a process paused and resumed. */
class PausableClock implements Clock {
  offset = 0;
  constructor(readonly fake: FakeClock) {}
  now(): number {
    return this.fake.now() + this.offset;
  }
  setTimer(ms: number, fn: () => void): ReturnType<Clock['setTimer']> {
    return this.fake.setTimer(ms, fn);
  }
}

interface Candidate {
  readonly elector: LeaseElector;
  readonly stop: AbortController;
  readonly leading: AbortSignal[];
  /** Clock time of each onStartedLeading call. */
  readonly leadingAt: number[];
  readonly done: Promise<void>;
  /** Resolves the promise returned by onStartedLeading (the leader's work has drained). */
  drain(): void;
  readonly lost: LeaderElectionLostError[];
  readonly metrics: boolean[];
}

function candidate(client: MemoryClient, clock: Clock, identity: string, extra: Partial<LeaseElectorOptions> = {}): Candidate {
  const leading: AbortSignal[] = [];
  const leadingAt: number[] = [];
  const lost: LeaderElectionLostError[] = [];
  const metrics: boolean[] = [];
  let drain: () => void = () => undefined;
  const elector = new LeaseElector({
    client,
    ...KEY,
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    jitterFactor: 0,
    clock,
    metrics: { leading: (_name, on) => void metrics.push(on) },
    onLostLeadership: (err) => void lost.push(err),
    ...extra,
  });
  const stop = new AbortController();
  const done = elector.run(stop.signal, (signal) => {
    leading.push(signal);
    leadingAt.push(clock.now());
    return new Promise<void>((resolve) => (drain = resolve));
  });
  return { elector, stop, leading, leadingAt, done, lost, metrics, drain: () => drain() };
}

const lease = (client: MemoryClient): Lease => client.objects.get(MemoryClient.key(Lease, KEY)) as Lease;
const spec = (client: MemoryClient): Record<string, unknown> => (lease(client).spec ?? {}) as Record<string, unknown>;

describe('LeaseElector (client-go semantics, fake clock)', () => {
  it('acquires a missing lease by creating it, with MicroTime times and zero transitions', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    expect(a.leading).toHaveLength(1);
    expect(a.elector.state).toBe('leading');
    expect(spec(client)).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-02T03:04:05.000000Z',
      renewTime: '2026-01-02T03:04:05.000000Z',
      leaseTransitions: 0,
    });
    expect(a.metrics).toEqual([true]);
    a.stop.abort();
    a.drain();
    await clock.advance(0);
    await a.done;
  });

  it('renews every retry period, keeping acquireTime and transitions', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    await clock.advance(2_000);
    expect(spec(client)['renewTime']).toBe('2026-01-02T03:04:07.000000Z');
    await clock.advance(2_000);
    expect(spec(client)['renewTime']).toBe('2026-01-02T03:04:09.000000Z');
    expect(spec(client)['acquireTime']).toBe('2026-01-02T03:04:05.000000Z');
    expect(spec(client)['leaseTransitions']).toBe(0);
    expect(a.elector.isLeading()).toBe(true);
    a.stop.abort();
    a.drain();
    await clock.advance(0);
    await a.done;
  });

  it('a second candidate waits while the holder renews, and takes over one lease duration after renewals stop', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    const b = candidate(client, clock, 'b');
    await clock.advance(30_000);
    expect(b.leading).toHaveLength(0);
    expect(b.elector.state).toBe('candidate');
    // The holder's API calls now fail: it stops renewing (and stops leading at its renew deadline).
    const failFrom = clock.now();
    client.fail = (call) => {
      if (call.key.includes('op-lock') && call.body !== undefined && (call.body as Lease).spec?.holderIdentity === 'a') throw new Error('partitioned');
    };
    await clock.advance(10_000);
    expect(a.elector.state).toBe('lost');
    expect(a.leading[0]?.aborted).toBe(true);
    expect(a.leading[0]?.reason).toBeInstanceOf(LeaderElectionLostError);
    expect(b.leading).toHaveLength(0);
    await clock.advance(8_000);
    expect(b.leading).toHaveLength(1);
    const takeover = (b.leadingAt[0] ?? 0) - failFrom;
    // The last successful renew was ≤ retryPeriod before failFrom; b observed it and waited one lease duration.
    expect(takeover).toBeGreaterThan(15_000 - 2_000);
    expect(takeover).toBeLessThanOrEqual(15_000 + 2_000);
    expect(spec(client)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(Date.parse(String(spec(client)['acquireTime']))).toBe(failFrom + takeover);
    b.stop.abort();
    b.drain();
    await clock.advance(0);
    await Promise.all([a.done, b.done]);
  });

  it('stops leading at the renew deadline: aborts the leading signal, reports the metric and calls onLostLeadership', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    client.fail = () => {
      throw new Error('API down');
    };
    await clock.advance(9_999);
    expect(a.elector.state).toBe('leading');
    await clock.advance(1);
    expect(a.elector.state).toBe('lost');
    expect(a.lost).toHaveLength(1);
    expect(a.lost[0]?.lastRenewAt).toBe(T0);
    expect(a.metrics).toEqual([true, false]);
    await a.done;
    const writes = client.calls.length;
    await clock.advance(60_000);
    expect(client.calls.length).toBe(writes);
  });

  it('a leader resumed after a pause past its renew deadline notices synchronously, before any write', async () => {
    const fake = new FakeClock({ start: T0 });
    const clock = new PausableClock(fake);
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await fake.advance(0);
    const fenced = fencedClient(client, () => a.elector.mayWrite());
    const callsBefore = client.calls.length;
    clock.offset = 12_000; // the process was stopped for 12 s; no timer has fired yet
    expect(a.leading[0]?.aborted).toBe(false);
    expect(a.elector.isLeading()).toBe(false);
    expect(a.leading[0]?.aborted).toBe(true);
    await expect(fenced.create(Lease, { metadata: { namespace: 'ns', name: 'x' } })).rejects.toMatchObject({ reason: 'NotLeader' });
    expect(client.calls.length).toBe(callsBefore);
    await fake.advance(0);
    await a.done;
  });

  it('on graceful stop keeps the lease until the leader work drains, then releases it so a successor acquires at once', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    const b = candidate(client, clock, 'b');
    await clock.advance(1_000);
    a.stop.abort();
    await clock.advance(20_000);
    expect(a.elector.state).toBe('leading');
    expect(b.leading).toHaveLength(0);
    a.drain();
    await clock.advance(0);
    await a.done;
    expect(a.elector.state).toBe('released');
    expect(spec(client)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    await clock.advance(2_000);
    expect(b.leading).toHaveLength(1);
    expect(spec(client)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.stop.abort();
    b.drain();
    await clock.advance(0);
    await b.done;
  });

  it('two candidates racing for an expired lease: optimistic concurrency lets exactly one win', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    client.put(Lease, { metadata: { ...KEY }, spec: { holderIdentity: 'old', leaseDurationSeconds: 15, leaseTransitions: 4 } as never });
    const a = candidate(client, clock, 'a');
    const b = candidate(client, clock, 'b');
    await clock.advance(40_000);
    expect(a.leading.length + b.leading.length).toBe(1);
    expect(spec(client)['leaseTransitions']).toBe(5);
    expect(client.calls.some((c) => c.verb === 'update' && c.key.includes('op-lock'))).toBe(true);
    for (const c of [a, b]) {
      c.stop.abort();
      c.drain();
    }
    await clock.advance(0);
    await Promise.all([a.done, b.done]);
  });

  it('gives up leading when another holder took the lease', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    const a = candidate(client, clock, 'a');
    await clock.advance(0);
    client.put(Lease, { ...lease(client), spec: { ...spec(client), holderIdentity: 'intruder' } as never });
    await clock.advance(2_000);
    expect(a.elector.state).toBe('lost');
    expect(a.lost[0]?.message).toContain('intruder');
    await a.done;
  });

  it('rejects configurations client-go rejects', () => {
    const client = new MemoryClient();
    const make = (o: Partial<LeaseElectorOptions>) => () => new LeaseElector({ client, ...KEY, ...o });
    expect(make({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(LeaderElectionError);
    expect(make({ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadlineMs/);
    expect(make({ retryPeriodMs: 0 })).toThrow(/retryPeriodMs/);
    expect(make({ name: '' })).toThrow(/lease name/);
    expect(new LeaseElector({ client, ...KEY }).identity).toMatch(/_[0-9a-f-]{36}$/);
  });

  it('does not start leading when stopped before acquiring, and writes nothing afterwards', async () => {
    const clock = new FakeClock({ start: T0 });
    const client = new MemoryClient();
    client.put(Lease, { metadata: { ...KEY }, spec: { holderIdentity: 'other', leaseDurationSeconds: 15 } as never });
    const a = candidate(client, clock, 'a');
    await clock.advance(3_000);
    a.stop.abort();
    await clock.advance(0);
    await a.done;
    expect(a.leading).toHaveLength(0);
    expect(a.elector.state).toBe('stopped');
    expect(client.calls.every((c) => c.verb === 'get')).toBe(true);
  });
});
