import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { ServerHealth } from '../../../runtime/src/client/health.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { classifyFailure } from '../../../runtime/src/controller/requeue.js';
import { fakeHost, settle } from '../../support/controller-host.js';
import { Widget } from '../../support/widget.js';

const api = (status: number, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) => new ApiError({ status, method: 'PATCH', path: '/x', ...extra });
const healthy = { serverHealth: 'healthy' as const, watching: true };

describe('classifyFailure', () => {
  it('puts Retry-After first, then answer-less failures as outages, and leaves the reconciler its own errors', () => {
    expect(classifyFailure(api(429, { retryAfterMs: 3000 }), healthy)).toEqual({ kind: 'throttled', retryAfterMs: 3000 });
    expect(classifyFailure(api(503, { retryAfterMs: 1000 }), { serverHealth: 'suspect', watching: false })).toEqual({ kind: 'throttled', retryAfterMs: 1000 });
    // a starting server's 503 + Retry-After during a confirmed outage: its readiness answers it
    expect(classifyFailure(api(503, { retryAfterMs: 5000 }), { serverHealth: 'unreachable', watching: false })).toEqual({ kind: 'outage' });
    expect(classifyFailure(api(0), healthy)).toEqual({ kind: 'outage' });
    expect(classifyFailure(api(0, { reason: 'Timeout' }), healthy)).toEqual({ kind: 'outage' });
    expect(classifyFailure(new Error('wrapped', { cause: api(0) }), healthy)).toEqual({ kind: 'outage' });
    expect(classifyFailure(api(200, { reason: 'MalformedBody' }), healthy)).toEqual({ kind: 'error' });
    expect(classifyFailure(api(409), healthy)).toEqual({ kind: 'error' });
    expect(classifyFailure(new Error('my bug'), { serverHealth: 'unreachable', watching: false })).toEqual({ kind: 'error' });
  });

  it('counts a 5xx as an outage only while the server is not known healthy or the watch is down too', () => {
    expect(classifyFailure(api(500), healthy)).toEqual({ kind: 'error' });
    expect(classifyFailure(api(500), { serverHealth: 'unreachable', watching: true })).toEqual({ kind: 'outage' });
    expect(classifyFailure(api(503), { serverHealth: 'healthy', watching: false })).toEqual({ kind: 'outage' });
  });
});

/** A fake manager whose transport health probe answers `ready()`, and a Widget controller running `fn`. */
async function running(fn: (n: number) => void) {
  const h = fakeHost();
  let up = true;
  const health = new ServerHealth({ clock: h.clock, probe: async () => up });
  const calls: number[] = [];
  const ctl = controller({ ...h.host, serverHealth: health })
    .for(Widget)
    .withOptions({ rateLimit: { baseDelayMs: 5, maxDelayMs: 60_000, qps: Infinity } })
    .reconcile(async () => {
      calls.push(h.clock.now());
      fn(calls.length);
      return undefined;
    });
  const informer = h.cache.informerFor(Widget);
  informer.add({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'a', resourceVersion: '1' } });
  informer.sync();
  const abort = new AbortController();
  const done = ctl.start(abort.signal);
  await settle(() => calls.length > 0);
  return {
    ...h,
    calls,
    health,
    setUp: (value: boolean) => void (up = value),
    stop: async () => {
      abort.abort();
      health.close();
      await h.clock.advance(2000);
      await done;
    },
  };
}

describe('outage-recovery requeue (fake clock)', () => {
  it('parks a key that failed because the server was unreachable and runs it as soon as the server is back, with its backoff reset', async () => {
    let failing = true;
    const r = await running((n) => {
      if (failing) throw api(0, { text: 'connect ECONNREFUSED' });
      if (n === 99) throw new Error('never');
    });
    r.setUp(false);
    // the transport reports the failure; the first probe confirms the outage
    r.health.reportFailure(new Error('refused'));
    await r.clock.advance(60_000);
    const duringOutage = r.calls.length;
    // parked: no retry storm and no backoff growing to minutes
    expect(duringOutage).toBeLessThanOrEqual(3);
    failing = false;
    r.setUp(true);
    const before = r.calls.length;
    await r.clock.advance(250);
    expect(r.calls.length).toBe(before + 1);
    const probeAt = r.clock.now();
    expect(probeAt - (r.calls.at(-1) ?? 0)).toBeLessThanOrEqual(250);
    expect(r.lines.some((l) => l['msg'] === 'API server is back; retrying reconciles that failed during the outage')).toBe(true);
    await r.stop();
  });

  it('keeps exponential backoff for the reconciler’s own errors while the server is healthy', async () => {
    const r = await running(() => {
      throw new Error('my bug');
    });
    await r.clock.advance(200);
    const gaps = r.calls.slice(1, 6).map((t, i) => t - (r.calls[i] ?? 0));
    expect(gaps).toEqual([5, 10, 20, 40, 80]);
    await r.stop();
  });

  it('after a 429 with Retry-After: 3 requeues no sooner than 3 s, though the backoff is 5 ms', async () => {
    const r = await running((n) => {
      if (n === 1) throw api(429, { retryAfterMs: 3000 });
    });
    await r.clock.advance(2999);
    expect(r.calls).toHaveLength(1);
    await r.clock.advance(1);
    await settle(() => r.calls.length > 1);
    expect(r.calls.map((t) => t - (r.calls[0] ?? 0))).toEqual([0, 3000]);
    await r.stop();
  });
});
