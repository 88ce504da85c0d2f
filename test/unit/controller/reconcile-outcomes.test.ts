import { describe, expect, it } from 'vitest';
import { controller } from '../../../runtime/src/controller/builder.js';
import { TerminalError } from '../../../runtime/src/controller/errors.js';
import type { Request } from '../../../runtime/src/controller/handlers.js';
import type { ReconcileResult } from '../../../runtime/src/controller/reconciler.js';
import { fakeHost, settle } from '../../support/controller-host.js';
import { Widget } from '../../support/widget.js';

const w = (name: string, extra: Partial<Widget['metadata']> = {}): Widget => ({
  apiVersion: 'test.opkit.dev/v1',
  kind: 'Widget',
  metadata: { namespace: 'ns', name, generation: 1, resourceVersion: '1', ...extra },
});

/** A synced fake manager with one Widget and a controller whose reconciler is `fn`. */
async function running(fn: (req: Request, n: number) => ReconcileResult | Promise<ReconcileResult>, rateLimit = { baseDelayMs: 5, maxDelayMs: 80 }) {
  const h = fakeHost();
  const calls: number[] = [];
  const ctl = controller(h.host)
    .for(Widget)
    .withOptions({ rateLimit: { ...rateLimit, qps: Infinity } })
    .reconcile(async (req) => {
      calls.push(h.clock.now());
      return fn(req, calls.length);
    });
  const informer = h.cache.informerFor(Widget);
  informer.add(w('a'));
  informer.sync();
  const abort = new AbortController();
  const done = ctl.start(abort.signal);
  await settle(() => calls.length > 0);
  const stop = async () => {
    abort.abort();
    await h.clock.advance(2000);
    await done;
  };
  return { ...h, calls, informer, stop, ctl };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('reconcile outcomes (fake clock)', () => {
  it('retries a failing reconcile with delays doubling from 5 ms up to the cap', async () => {
    const r = await running(() => {
      throw new Error('boom');
    });
    for (let i = 0; i < 10; i++) await r.clock.advance(100);
    expect(gaps(r.calls.slice(0, 7))).toEqual([5, 10, 20, 40, 80, 80]);
    expect(r.metrics.errors).toBeGreaterThanOrEqual(7);
    expect(r.metrics.totals.every((t) => t.result === 'error')).toBe(true);
    await r.stop();
  });

  it('resets the backoff after a success', async () => {
    // fail, fail, fail, succeed (requeue via event), fail again: the delay starts over at 5 ms
    const r = await running((_req, n) => {
      if (n === 4) return undefined;
      throw new Error(`attempt ${n}`);
    });
    await r.clock.advance(5);
    await r.clock.advance(10);
    await r.clock.advance(20);
    expect(r.calls).toHaveLength(4);
    expect(r.ctl.activeWorkers).toBe(0);
    r.informer.update(w('a', { resourceVersion: '2' }));
    await settle(() => r.calls.length === 5);
    const fifth = r.calls[4] ?? 0;
    await r.clock.advance(5);
    expect(r.calls[5]).toBe(fifth + 5);
    await r.stop();
  });

  it('runs again after requeueAfter, and a requeueAfter resets the backoff', async () => {
    const r = await running((_req, n) => {
      if (n <= 3) throw new Error('not yet');
      if (n === 4) return { requeueAfter: 1500 };
      if (n === 5) throw new Error('again');
      return undefined;
    });
    await r.clock.advance(5 + 10 + 20);
    expect(r.calls).toHaveLength(4);
    await r.clock.advance(1499);
    expect(r.calls).toHaveLength(4);
    await r.clock.advance(1);
    expect(r.calls).toHaveLength(5);
    await r.clock.advance(5);
    expect(r.calls).toHaveLength(6);
    expect(gaps(r.calls)).toEqual([5, 10, 20, 1500, 5]);
    expect(r.metrics.totals.map((t) => t.result)).toEqual(['error', 'error', 'error', 'requeue_after', 'error', 'success']);
    await r.stop();
  });

  it('requeue: true retries with rate-limited backoff', async () => {
    const r = await running((_req, n) => (n < 4 ? { requeue: true } : undefined));
    await r.clock.advance(100);
    expect(gaps(r.calls)).toEqual([5, 10, 20]);
    expect(r.metrics.totals.map((t) => t.result)).toEqual(['requeue', 'requeue', 'requeue', 'success']);
    await r.stop();
  });

  it('does not retry a TerminalError, even wrapped as the cause of another error', async () => {
    const r = await running((req) => {
      throw req.name === 'a' ? new TerminalError('invalid spec') : new Error('wrapped', { cause: new TerminalError({ message: 'bad' }) });
    });
    r.informer.add(w('b'));
    await settle(() => r.calls.length === 2);
    await r.clock.advance(10_000);
    expect(r.calls).toHaveLength(2);
    expect(r.metrics.terminal).toBe(2);
    const line = r.lines.find((l) => l['name'] === 'a' && l['level'] === 'error');
    expect(line?.['msg']).toMatch(/terminal/);
    expect((line?.['err'] as { reason?: string }).reason).toBe('Terminal');
    await r.stop();
  });

  it.each([
    ['a string', 'plain string'],
    ['an object', { code: 42 }],
    ['undefined', undefined],
    ['null', null],
  ])('retries and logs a reconciler that throws %s', async (_label, thrown) => {
    const r = await running(() => {
      throw thrown;
    });
    await r.clock.advance(5 + 10);
    expect(r.calls).toHaveLength(3);
    const errors = r.lines.filter((l) => l['msg'] === 'Reconciler error');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    const err = errors[0]?.['err'] as { message: string };
    expect(typeof err.message).toBe('string');
    await r.stop();
  });

  it('puts controller, kind, namespace, name and a reconcile id on every line logged inside a reconcile', async () => {
    const ids: string[] = [];
    const h = fakeHost();
    const ctl = controller(h.host)
      .named('widgets')
      .for(Widget)
      .reconcile((_req, ctx) => {
        ids.push(ctx.reconcileId);
        ctx.log.info('inside', { extra: 1 });
        ctx.log.child({ step: 'x' }).debug('deeper');
      });
    const inf = h.cache.informerFor(Widget);
    inf.add(w('a'));
    inf.add(w('b'));
    inf.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    await settle(() => ids.length === 2);
    const inside = h.lines.filter((l) => l['msg'] === 'inside' || l['msg'] === 'deeper' || l['msg'] === 'Reconciling');
    expect(inside).toHaveLength(6);
    for (const line of inside) {
      expect(line).toMatchObject({ controller: 'widgets', kind: 'Widget', namespace: 'ns' });
      expect(['a', 'b']).toContain(line['name']);
      expect(ids).toContain(line['reconcileID']);
    }
    expect(new Set(ids).size).toBe(2);
    abort.abort();
    await done;
  });
});
