import { describe, expect, it } from 'vitest';
import { controller } from '../../../runtime/src/controller/builder.js';
import { LeaseElector } from '../../../runtime/src/leader/elector.js';
import { LeaderElectionLostError } from '../../../runtime/src/leader/errors.js';
import type { Clock } from '../../../runtime/src/util/clock.js';
import { fakeHost, settle } from '../../support/controller-host.js';
import { MemoryClient } from '../../support/memory-client.js';
import { Widget } from '../../support/widget.js';

const w = (name: string): Widget => ({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name, generation: 1, resourceVersion: '1' } });

describe('leader gate of leader-elected controllers', () => {
  it('a controller whose process was paused past the renew deadline skips the next reconcile and stops leading, before calling the reconciler', async () => {
    const h = fakeHost();
    let offset = 0;
    const clock: Clock = { now: () => h.clock.now() + offset, setTimer: (ms, fn) => h.clock.setTimer(ms, fn) };
    const elector = new LeaseElector({ client: new MemoryClient(), namespace: 'ns', name: 'lock', identity: 'me', clock, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    const reconciled: string[] = [];
    const ctl = controller({ ...h.host, leaderGate: () => elector.isLeading() })
      .for(Widget)
      .reconcile((req) => void reconciled.push(req.name));
    const informer = h.cache.informerFor(Widget);
    informer.add(w('before'));
    informer.sync();
    const stop = new AbortController();
    let leading: AbortSignal | undefined;
    let controllerRun: Promise<void> = Promise.resolve();
    const electorRun = elector.run(stop.signal, (signal) => {
      leading = signal;
      controllerRun = ctl.start(signal);
      return controllerRun;
    });
    await settle(() => reconciled.length > 0);
    expect(reconciled).toEqual(['before']);

    offset = 11_000; // SIGSTOP for 11 s, then SIGCONT: no timer has fired yet, an event arrives first
    informer.add(w('after-resume'));
    await settle(() => leading?.aborted === true);
    expect(leading?.reason).toBeInstanceOf(LeaderElectionLostError);
    expect(reconciled).toEqual(['before']);
    expect(h.lines.some((l) => l['msg'] === 'Not leading; skipping reconcile' && l['key'] === 'ns/after-resume')).toBe(true);
    await h.clock.advance(2_000);
    await controllerRun;
    await electorRun;
  });

  it('controllers that do not need leader election ignore the gate', async () => {
    const h = fakeHost();
    const reconciled: string[] = [];
    const ctl = controller({ ...h.host, leaderGate: () => false })
      .for(Widget)
      .withOptions({ needLeaderElection: false })
      .reconcile((req) => void reconciled.push(req.name));
    const informer = h.cache.informerFor(Widget);
    informer.add(w('x'));
    informer.sync();
    const stop = new AbortController();
    const run = ctl.start(stop.signal);
    await settle(() => reconciled.length > 0);
    expect(reconciled).toEqual(['x']);
    stop.abort();
    await h.clock.advance(2_000);
    await run;
  });
});
