import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { controller } from '../../../runtime/src/controller/builder.js';
import { LeaderElectionError } from '../../../runtime/src/leader/errors.js';
import { silentLogger } from '../../../runtime/src/log/logger.js';
import { Manager, type ManagerOptions } from '../../../runtime/src/manager/manager.js';
import { ServerError } from '../../../runtime/src/server/http.js';
import { settle } from '../../support/controller-host.js';
import { FakeCache } from '../../support/fake-cache.js';
import { Widget } from '../../support/widget.js';

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

function setup(options: Partial<ManagerOptions> = {}) {
  const cache = new FakeCache();
  const mgr = new Manager({ kubeConfig: kubeConfig(), logger: silentLogger, newCache: () => cache, gracefulShutdownTimeoutMs: 1_000, ...options });
  return { cache, mgr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Manager operational options (fake cache)', () => {
  it('serves /healthz at once and /readyz only after the caches synced, on ephemeral ports read back from the manager', async () => {
    const { cache, mgr } = setup({ healthProbeBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0' });
    const reconciled: string[] = [];
    controller(mgr)
      .for(Widget)
      .reconcile((req) => void reconciled.push(req.name));
    mgr.addReadyCheck('custom', () => true);
    const informer = cache.informerFor(Widget);
    informer.add({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'a' } });
    expect(mgr.healthProbeAddress()).toBeUndefined();
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    try {
      for (let i = 0; i < 50 && mgr.healthProbeAddress() === undefined; i++) await settle(undefined, 1);
      const base = `http://127.0.0.1:${mgr.healthProbeAddress()?.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(500);
      expect(await (await fetch(`${base}/readyz?verbose`)).text()).toBe('[+]custom ok\n[-]informer-sync failed: caches have not synced yet\n[+]informer-watch ok\nreadyz check failed\n');
      informer.sync();
      await settle(() => reconciled.length > 0);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${mgr.metricsAddress()?.port}/metrics`)).text();
      expect(metrics).toContain('controller_runtime_reconcile_total{controller="widget",result="success"} 1');
      expect(metrics).toContain('workqueue_adds_total{name="widget"} 1');
    } finally {
      abort.abort();
      await done;
    }
    expect(mgr.healthProbeAddress()).toBeUndefined();
  });

  it('keeps the endpoints off by default ("0")', async () => {
    const { mgr } = setup();
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    await settle(undefined, 5);
    expect(mgr.metricsAddress()).toBeUndefined();
    expect(mgr.healthProbeAddress()).toBeUndefined();
    abort.abort();
    await done;
  });

  it('rejects bad bind addresses and a Lease config without a namespace at construction', () => {
    expect(() => setup({ metricsBindAddress: '8080' })).toThrow(ServerError);
    expect(() => setup({ leaderElection: { name: 'lock' } })).toThrow(LeaderElectionError);
    expect(setup({ namespace: 'ns', leaderElection: { name: 'lock', identity: 'me' } }).mgr.leaderElection?.identity).toBe('me');
  });

  it('logLevel sets the level of the default JSON logger', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    const mgr = new Manager({ kubeConfig: kubeConfig(), newCache: () => new FakeCache(), logLevel: 'warn' });
    mgr.logger.info('hidden');
    mgr.logger.warn('shown');
    vi.restoreAllMocks();
    expect(lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)).toEqual(['shown']);
  });

  it('exposes a per-manager registry for user metrics', async () => {
    const a = setup().mgr;
    const b = setup().mgr;
    expect(a.metrics.registry).not.toBe(b.metrics.registry);
    expect(await a.metrics.registry.metrics()).toContain('# TYPE controller_runtime_reconcile_total counter');
  });
});
