import { describe, expect, it } from 'vitest';
import { ServerHealth, type ServerHealthState } from '../../../runtime/src/client/health.js';
import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';

/** A ServerHealth whose probe answers what `answers` says (true: ready), recording probe times. */
function setup(ready: () => boolean | 'hang') {
  const clock = new FakeClock({ start: 0 });
  const probes: number[] = [];
  const states: ServerHealthState[] = [];
  const health = new ServerHealth({
    clock,
    probeIntervalMs: 250,
    probeTimeoutMs: 1000,
    onChange: (s) => states.push(s),
    probe: (signal) => {
      probes.push(clock.now());
      const r = ready();
      if (r !== 'hang') return Promise.resolve(r);
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
  });
  return { clock, probes, states, health };
}

describe('ServerHealth (fake clock)', () => {
  it('treats a failure the first probe finds unfounded as a false alarm: nobody is woken', async () => {
    const h = setup(() => true);
    let woken = false;
    void h.health.recovered().then(() => (woken = true));
    h.health.reportFailure(new Error('reset'));
    await flushMicrotasks();
    expect(h.states).toEqual(['suspect', 'healthy']);
    expect(woken).toBe(false);
    expect(h.probes).toEqual([0]);
  });

  it('confirms an outage when a probe fails, probes every interval, and wakes everyone when the server is ready again', async () => {
    let up = false;
    const h = setup(() => up);
    const woken: number[] = [];
    h.health.onRecovered(() => woken.push(h.clock.now()));
    h.health.reportFailure(new Error('refused'));
    h.health.reportFailure(new Error('refused again'));
    await flushMicrotasks();
    expect(h.health.outage).toBe(true);
    await h.clock.advance(1000);
    expect(h.probes).toEqual([0, 250, 500, 750, 1000]);
    up = true;
    await h.clock.advance(250);
    expect(woken).toEqual([1250]);
    expect(h.states).toEqual(['suspect', 'unreachable', 'healthy']);
    expect(h.health.lastOutageMs).toBe(1250);
    await h.clock.advance(5000);
    expect(h.probes).toHaveLength(6);
  });

  it('gives each probe a deadline, so a server that accepts connections but never answers is an outage', async () => {
    let mode: boolean | 'hang' = 'hang';
    const h = setup(() => mode);
    h.health.reportFailure(new Error('stalled'));
    await h.clock.advance(999);
    expect(h.health.state).toBe('suspect');
    await h.clock.advance(1);
    expect(h.health.outage).toBe(true);
    mode = true;
    await h.clock.advance(250);
    expect(h.health.state).toBe('healthy');
  });

  it('ends an outage at once when any request gets an answer', async () => {
    const h = setup(() => false);
    let woken = 0;
    h.health.onRecovered(() => woken++);
    h.health.reportFailure(new Error('refused'));
    await flushMicrotasks();
    h.health.reportAnswer();
    expect(h.health.state).toBe('healthy');
    expect(woken).toBe(1);
    await h.clock.advance(1000);
    expect(h.probes).toHaveLength(1);
  });

  it('stops probing when closed, and a recovered() wait ends with false when its signal aborts', async () => {
    const h = setup(() => false);
    h.health.reportFailure(new Error('refused'));
    await flushMicrotasks();
    const abort = new AbortController();
    const wait = h.health.recovered(abort.signal);
    abort.abort();
    expect(await wait).toBe(false);
    h.health.close();
    await h.clock.advance(5000);
    expect(h.probes).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(0);
  });
});
