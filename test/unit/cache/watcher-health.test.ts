import { describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import { ServerHealth } from '../../../runtime/src/client/health.js';
import { WatchStalledError } from '../../../runtime/src/watch/errors.js';
import { watcher, type WatcherEvent, type WatcherOptions } from '../../../runtime/src/watch/watcher.js';
import { FakeApi, cm } from './fake-api.js';
import { FakeClock, collect, flushMicrotasks, until } from './helpers.js';

type Ev = WatcherEvent<KubeObject>;
const errors = (events: Ev[]) => events.filter((e): e is Extract<Ev, { type: 'error' }> => e.type === 'error');

/** A watcher on a FakeApi whose ServerHealth probe answers `ready()`. */
function setup(options: Partial<WatcherOptions> = {}, ready: () => boolean = () => true) {
  const api = new FakeApi('/api/v1/configmaps');
  const clock = new FakeClock({ start: 1_000_000 });
  const probes: number[] = [];
  api.health = new ServerHealth({
    clock,
    probe: async () => {
      probes.push(clock.now());
      return ready();
    },
  });
  const controller = new AbortController();
  const run = collect(watcher(api, ConfigMap, { signal: controller.signal, clock, backoff: { random: () => 0.5 }, ...options }));
  const stop = async () => {
    controller.abort();
    await run.done;
    api.health?.close();
  };
  return { api, clock, run, probes, stop };
}

describe('watcher connection health (fake clock)', () => {
  it('announces each open watch connection with a connected event, before any data', async () => {
    const { api, clock, run, stop } = setup();
    await until(clock, () => api.watchRequests.length === 1);
    expect(run.events.map((e) => e.type)).toEqual(['init', 'initPage', 'initDone', 'connected']);
    await stop();
  });

  it('with defaults, asks the server to end each watch after 8 s and finds a silent one stalled 10 s after its last sign of life', async () => {
    const { api, clock, run, stop } = setup();
    await until(clock, () => api.watchRequests.length === 1);
    expect(api.watchRequests[0]?.query).toMatchObject({ timeoutSeconds: 8, allowWatchBookmarks: true });
    api.watchFaults.push({ kind: 'silent' });
    await clock.advance(1500); // a watch ended at once would count as a failure
    api.endWatches();
    await until(clock, () => api.watchRequests.length === 2);
    const since = clock.now();
    await until(clock, () => errors(run.events).length === 1);
    expect(clock.now() - since).toBe(10_000);
    expect(errors(run.events)[0]?.error).toBeInstanceOf(WatchStalledError);
    await stop();
  });

  it('on a stall flushes the idle pooled connections and reports the failure, so the server is probed', async () => {
    const { api, clock, run, probes, stop } = setup({ stallTimeoutMs: 5_000 });
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'silent' });
    await clock.advance(1500); // a watch ended at once would count as a failure
    api.endWatches();
    await until(clock, () => errors(run.events).length === 1);
    expect(api.flushes).toBe(1);
    expect(probes).toHaveLength(1);
    // a healthy server (a false alarm): the reconnect keeps its backoff (800 ms with this jitter)
    const stalledAt = clock.now();
    await until(clock, () => api.watchRequests.length === 3);
    expect(clock.now() - stalledAt).toBeGreaterThanOrEqual(800);
    await stop();
  });

  it('waits at least the server Retry-After before re-watching, even when it exceeds the backoff', async () => {
    const { api, clock, run, stop } = setup();
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'error', status: 429, retryAfterMs: 3000 });
    await clock.advance(1500); // a watch ended at once would count as a failure
    api.endWatches();
    await until(clock, () => api.watchRequests.length === 2);
    const throttledAt = clock.now();
    await until(clock, () => api.watchRequests.length === 3);
    expect(clock.now() - throttledAt).toBeGreaterThanOrEqual(3000);
    expect(errors(run.events).map((e) => [e.retryInMs, e.retryAfterMs])).toEqual([[3000, 3000]]);
    await stop();
  });

  it('lifts a Retry-After that a server sent while it was down, once its /readyz answers ok', async () => {
    let up = false;
    const { api, clock, stop } = setup({}, () => up);
    await until(clock, () => api.watchRequests.length === 1);
    api.health?.reportFailure(new Error('refused'));
    await flushMicrotasks();
    expect(api.health?.outage).toBe(true);
    // a starting kube-apiserver answers 503 with Retry-After: 5 before its paths are installed
    api.watchFaults.push({ kind: 'error', status: 503, retryAfterMs: 5000 });
    await clock.advance(1500);
    api.endWatches();
    await until(clock, () => api.watchRequests.length === 2);
    const at = clock.now();
    await clock.advance(1000);
    up = true;
    await until(clock, () => api.watchRequests.length === 3);
    expect(clock.now() - at).toBeLessThan(1500);
    await stop();
  });

  it('re-watches as soon as the server is ready again after an outage, not after the grown backoff', async () => {
    let up = false;
    const { api, clock, run, probes, stop } = setup({ backoff: { initialMs: 30_000, random: () => 0.5 } }, () => up);
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'error', status: 500 });
    // the transport reports the connection failures of the outage
    api.health?.reportFailure(new Error('connection refused'));
    await clock.advance(1500); // a watch ended at once would count as a failure
    api.endWatches();
    await until(clock, () => errors(run.events).length === 1);
    expect(errors(run.events)[0]?.retryInMs).toBe(30_000);
    await clock.advance(2_000);
    expect(api.health?.outage).toBe(true);
    up = true;
    const readyAt = clock.now();
    await until(clock, () => api.watchRequests.length === 3, { stepMs: 10 });
    expect(clock.now() - readyAt).toBeLessThanOrEqual(260);
    expect(probes.length).toBeGreaterThan(5);
    await stop();
  });

  it('starts the backoff over after an outage: a storage-initializing 429 right after it waits its Retry-After, not the backoff grown during the outage', async () => {
    let up = false;
    const { api, clock, run, stop } = setup({}, () => up);
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    api.health?.reportFailure(new Error('connection refused'));
    await clock.advance(1500);
    api.endWatches();
    await until(clock, () => errors(run.events).length === 4, { stepMs: 50 });
    expect(errors(run.events).map((e) => e.retryInMs)).toEqual([800, 1600, 3200, 6400]);
    api.watchFaults.push({ kind: 'error', status: 429, retryAfterMs: 1000 });
    up = true;
    await until(clock, () => errors(run.events).length === 5);
    expect(errors(run.events)[4]?.retryInMs).toBe(1000);
    await stop();
  });

  it('relists at once when the first watch after an outage finds its resourceVersion expired (a restarted server)', async () => {
    let up = false;
    const { api, clock, run, stop } = setup({}, () => up);
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'error', status: 500 });
    api.health?.reportFailure(new Error('connection refused'));
    await clock.advance(1500);
    api.endWatches();
    await until(clock, () => errors(run.events).length === 1);
    // meanwhile the server restarted and forgot the old resourceVersions
    api.silently(() => api.upsert(cm('new')));
    up = true;
    await until(clock, () => errors(run.events).length === 2);
    expect(errors(run.events)[1]).toMatchObject({ next: 'list', retryInMs: 0 });
    await stop();
  });

  it('keeps the full backoff for repeated failures of a server that is up (no outage, no early retry)', async () => {
    const { api, clock, run, stop } = setup({ backoff: { initialMs: 10_000, random: () => 0.5 } });
    await until(clock, () => api.watchRequests.length === 1);
    api.watchFaults.push({ kind: 'error', status: 500 });
    await clock.advance(1500); // a watch ended at once would count as a failure
    api.endWatches();
    await until(clock, () => errors(run.events).length === 1);
    const failedAt = clock.now();
    await until(clock, () => api.watchRequests.length === 3, { stepMs: 100 });
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(10_000);
    await flushMicrotasks();
    await stop();
  });
});
