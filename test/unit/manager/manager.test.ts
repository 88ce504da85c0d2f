import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { controller } from '../../../runtime/src/controller/builder.js';
import { silentLogger } from '../../../runtime/src/log/logger.js';
import { ManagerError } from '../../../runtime/src/errors/manager-error.js';
import { Manager } from '../../../runtime/src/manager/manager.js';
import type { LeaderElector } from '../../../runtime/src/lifecycle/runnable.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { settle } from '../../support/controller-host.js';
import { FakeCache } from '../../support/fake-cache.js';
import { Gadget, Widget } from '../../support/widget.js';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

function setup(options: { elector?: LeaderElector; gracefulShutdownTimeoutMs?: number } = {}) {
  const cache = new FakeCache();
  const clock = new FakeClock();
  const mgr = new Manager({
    kubeConfig: kubeConfig(),
    clock,
    logger: silentLogger,
    newCache: () => cache,
    gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs ?? 1000,
    cacheSyncTimeoutMs: 10_000,
    ...(options.elector ? { leaderElection: options.elector } : {}),
  });
  return { cache, clock, mgr };
}

const widget = (name: string): Widget => ({ metadata: { namespace: 'ns', name } });

describe('Manager (fake cache, fake clock)', () => {
  it('starts the cache first and runnables only after every informer has synced', async () => {
    const { cache, mgr } = setup();
    const events: string[] = [];
    controller(mgr)
      .for(Widget)
      .reconcile((req) => void events.push(`reconcile ${req.name}`));
    mgr.add({ start: async () => void events.push('plain runnable') });
    const informer = cache.informerFor(Widget);
    informer.add(widget('a'));
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    await settle(undefined, 5);
    expect(cache.started).toBe(true);
    expect(events).toEqual([]);
    informer.sync();
    await settle(() => events.length === 2);
    expect(events).toEqual(['plain runnable', 'reconcile a']);
    abort.abort();
    await done;
  });

  it('rejects start with CacheSyncFailed naming group, version and kind when a kind is not served', async () => {
    const { cache, mgr } = setup();
    controller(mgr).for(Gadget).reconcile(() => undefined);
    cache.informerFor(Gadget).fail(new Error('the server could not find the requested resource'));
    const err = (await mgr.start(new AbortController().signal).catch((e: unknown) => e)) as ManagerError;
    expect(err).toBeInstanceOf(ManagerError);
    expect(err.reason).toBe('CacheSyncFailed');
    expect(err.message).toContain('Gadget.v1.nope.opkit.dev');
    expect(err.message).toContain('group "nope.opkit.dev"');
  });

  it('rejects start with CacheSyncFailed when caches do not sync within cacheSyncTimeoutMs', async () => {
    const { cache, clock, mgr } = setup();
    controller(mgr).for(Widget).reconcile(() => undefined);
    cache.informerFor(Widget);
    const result = mgr.start(new AbortController().signal).catch((e: unknown) => e);
    await clock.advance(10_000);
    const err = (await result) as ManagerError;
    expect(err.reason).toBe('CacheSyncFailed');
    expect(err.message).toContain('Widget.v1.test.opkit.dev');
  });

  it('resolves when aborted before the caches sync, starting no runnable', async () => {
    const { cache, mgr } = setup();
    let started = false;
    mgr.add({ start: async () => void (started = true) });
    cache.informerFor(Widget);
    controller(mgr).for(Widget).reconcile(() => undefined);
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    await settle(undefined, 3);
    abort.abort();
    await done;
    expect(started).toBe(false);
  });

  it('stops everything and rejects with RunnableFailed when a runnable fails', async () => {
    const { mgr } = setup();
    let otherStopped = false;
    mgr.add({ start: (signal) => new Promise<void>((r) => signal.addEventListener('abort', () => r(void (otherStopped = true)))) });
    mgr.add({ start: () => Promise.reject(new Error('port in use')) });
    const err = (await mgr.start(new AbortController().signal).catch((e: unknown) => e)) as ManagerError;
    expect(err.reason).toBe('RunnableFailed');
    expect(err.message).toContain('port in use');
    expect(otherStopped).toBe(true);
  });

  it('bounds the graceful shutdown by gracefulShutdownTimeoutMs', async () => {
    const { clock, mgr } = setup({ gracefulShutdownTimeoutMs: 5000 });
    mgr.add({ start: () => new Promise<void>(() => undefined) });
    const abort = new AbortController();
    let resolved = false;
    const done = mgr.start(abort.signal).then(() => (resolved = true));
    await settle(undefined, 3);
    abort.abort();
    await clock.advance(4999);
    expect(resolved).toBe(false);
    await clock.advance(1);
    await done;
    expect(resolved).toBe(true);
  });

  it('starts leader-elected runnables only while leading, and fails with LeaderElectionLost when leadership is lost', async () => {
    let grant: ((leading: AbortSignal) => void) | undefined;
    const lease = new AbortController();
    const elector: LeaderElector = {
      run: (signal, onStartedLeading) =>
        new Promise<void>((resolve) => {
          grant = onStartedLeading;
          signal.addEventListener('abort', () => resolve());
        }),
    };
    const { mgr } = setup({ elector });
    const log: string[] = [];
    mgr.add({ start: async () => void log.push('plain') });
    mgr.add({
      needLeaderElection: true,
      start: (signal) =>
        new Promise<void>((resolve) => {
          log.push('elected started');
          signal.addEventListener('abort', () => resolve(void log.push('elected stopped')));
        }),
    });
    const result = mgr.start(new AbortController().signal).catch((e: unknown) => e);
    await settle(() => grant !== undefined);
    expect(log).toEqual(['plain']);
    grant?.(lease.signal);
    await settle(() => log.length === 2);
    expect(log).toEqual(['plain', 'elected started']);
    lease.abort();
    const err = (await result) as ManagerError;
    expect(err.reason).toBe('LeaderElectionLost');
    expect(log).toEqual(['plain', 'elected started', 'elected stopped']);
  });

  it('refuses duplicate controller names and runnables added after start', async () => {
    const { cache, mgr } = setup();
    controller(mgr).for(Widget).reconcile(() => undefined);
    expect(() => controller(mgr).for(Widget).reconcile(() => undefined)).toThrow(/already registered/);
    controller(mgr).named('second').for(Widget).reconcile(() => undefined);
    cache.informerFor(Widget).sync();
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    expect(() => mgr.add({ start: async () => undefined })).toThrow(ManagerError);
    await expect(mgr.start(abort.signal)).rejects.toThrow(/only once/);
    abort.abort();
    await done;
  });

  it('routes client reads to the cache and exposes an apiReader', async () => {
    const { cache, mgr } = setup();
    cache.informerFor(Widget).add(widget('cached'));
    await expect(mgr.client.get(Widget, { namespace: 'ns', name: 'cached' })).resolves.toMatchObject({ metadata: { name: 'cached' } });
    expect(await mgr.client.list(Widget)).toHaveLength(1);
    expect(mgr.apiReader).not.toBe(mgr.client);
  });
});
