import { describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import { InformerCache } from '../../../runtime/src/cache/cache.js';
import { eventsFlowing } from '../../../runtime/src/manager/readiness.js';
import { WatchStalledError } from '../../../runtime/src/watch/errors.js';
import { FakeApi, cm } from './fake-api.js';
import { FakeClock, until } from './helpers.js';

function setup() {
  const api = new FakeApi('/api/v1/configmaps');
  const clock = new FakeClock({ start: 0 });
  const cache = new InformerCache({ transport: api, clock, watcher: { backoff: { random: () => 0.5 }, stallTimeoutMs: 5_000 } });
  const informer = cache.informerFor<KubeObject>(ConfigMap);
  const abort = new AbortController();
  const run = cache.start(abort.signal);
  return { api, clock, cache, informer, stop: async () => (abort.abort(), await run) };
}

const ready = (cache: InformerCache, clock: FakeClock): string | undefined => {
  try {
    eventsFlowing(cache, clock);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('readiness while a watch is stalled (fake clock)', () => {
  it('is not ready while the watch is stalled, names the kind and how long, and is ready again once a watch opens', async () => {
    const { api, clock, cache, informer, stop } = setup();
    api.upsert(cm('a'));
    await until(clock, () => informer.hasSynced() && api.watchRequests.length === 1);
    expect(informer.watchHealth()).toMatchObject({ watching: true, stalls: 0 });
    expect(ready(cache, clock)).toBeUndefined();
    await clock.advance(1500);
    api.watchFaults.push({ kind: 'silent' }, { kind: 'silent' });
    api.endWatches();
    await until(clock, () => informer.watchHealth().watching === false);
    const stalledAt = clock.now();
    expect(informer.watchHealth().lastError).toBeInstanceOf(WatchStalledError);
    await clock.advance(700);
    expect(ready(cache, clock)).toMatch(/^events are not flowing: ConfigMap\.v1 has had no watch for 0\.7 s: .*silent for 5000 ms/);
    // the reconnect opens (even a silent watch is open: the server answered), then stalls again
    await until(clock, () => informer.watchHealth().watching === true);
    expect(ready(cache, clock)).toBeUndefined();
    await until(clock, () => informer.watchHealth().stalls === 2);
    expect(clock.now() - stalledAt).toBeGreaterThanOrEqual(5_000);
    await until(clock, () => informer.watchHealth().watching === true);
    expect(ready(cache, clock)).toBeUndefined();
    await stop();
  });

  it('stays ready through a 410 relist and through the server ending quiet watches', async () => {
    const { api, clock, cache, informer, stop } = setup();
    await until(clock, () => informer.hasSynced());
    for (let i = 0; i < 3; i++) {
      await clock.advance(1500);
      api.endWatches();
      expect(ready(cache, clock)).toBeUndefined();
    }
    await clock.advance(1500);
    api.watchFaults.push({ kind: 'gone-event' });
    api.endWatches();
    await until(clock, () => api.listRequests.length === 2);
    expect(ready(cache, clock)).toBeUndefined();
    expect(informer.watchHealth().stalls).toBe(0);
    await stop();
  });
});
