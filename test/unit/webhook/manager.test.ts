import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controller } from '../../../runtime/src/controller/builder.js';
import type { LeaderElector } from '../../../runtime/src/lifecycle/runnable.js';
import { silentLogger } from '../../../runtime/src/log/logger.js';
import { Manager } from '../../../runtime/src/manager/manager.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { WebhookError } from '../../../runtime/src/webhook/errors.js';
import { FakeCache } from '../../support/fake-cache.js';
import { Widget } from '../../support/widget.js';
import { admissionReview, post, testCerts, type TestCerts } from './support.js';

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

/** An elector that never leads: leader-elected runnables never start. */
const neverLeads: LeaderElector = { run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })) };

let certs: TestCerts;
beforeAll(() => {
  certs = testCerts();
  certs.write(certs.issue());
});
afterAll(() => certs.remove());

describe('Manager with a webhook server (fake cache)', () => {
  it('serves webhooks before the caches sync and without leading, reports them in /readyz and /metrics, and closes the port on stop', async () => {
    const cache = new FakeCache();
    const mgr = new Manager({
      kubeConfig: kubeConfig(),
      logger: silentLogger,
      clock: new FakeClock(),
      newCache: () => cache,
      leaderElection: neverLeads,
      healthProbeBindAddress: '127.0.0.1:0',
      metricsBindAddress: '127.0.0.1:0',
      webhook: { host: '127.0.0.1', port: 0, certDir: certs.dir, watchCertFiles: false },
    });
    mgr.webhookServer.register('/validate', () => ({ response: { allowed: false, status: { code: 403, message: 'no' } } }));
    controller(mgr).for(Widget).reconcile(() => undefined);
    const informer = cache.informerFor(Widget);
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    const port = await until(() => mgr.webhookServer.address()?.port);
    const probes = await until(() => mgr.healthProbeAddress()?.port);

    // caches not synced, not leading: the webhook answers anyway
    const res = await post(port, certs.ca.cert, '/validate', JSON.stringify(admissionReview('u-1')));
    expect(res.body.response).toMatchObject({ uid: 'u-1', allowed: false });
    expect(await (await fetch(`http://127.0.0.1:${probes}/readyz?verbose`)).text()).toContain('[+]webhook ok');

    informer.sync();
    await until(async () => (await fetch(`http://127.0.0.1:${probes}/readyz`)).status === 200);
    const metrics = await (await fetch(`http://127.0.0.1:${mgr.metricsAddress()?.port}/metrics`)).text();
    expect(metrics).toContain('controller_runtime_webhook_requests_total{webhook="/validate",code="200"} 1');

    abort.abort();
    await done;
    await expect(post(port, certs.ca.cert, '/validate', '{}')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('start() rejects with the typed certificate error and releases the probe port when the cert dir is missing', async () => {
    const mgr = new Manager({
      kubeConfig: kubeConfig(),
      logger: silentLogger,
      newCache: () => new FakeCache(),
      healthProbeBindAddress: '127.0.0.1:0',
      webhook: { port: 0, certDir: `${certs.dir}/missing` },
    });
    const err = await mgr.start(new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ reason: 'CertDirMissing' });
    expect(mgr.healthProbeAddress()).toBeUndefined();
  });

  it('creates the server on first use, not before, and refuses to create it after start', async () => {
    const mgr = new Manager({ kubeConfig: kubeConfig(), logger: silentLogger, newCache: () => new FakeCache() });
    const abort = new AbortController();
    const done = mgr.start(abort.signal);
    expect(() => mgr.webhookServer).toThrow(expect.objectContaining({ reason: 'AlreadyStarted' }));
    abort.abort();
    await done;
  });
});

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}
