import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { startWidgetControlPlane, stopWidgetControlPlane } from '../../support/control-plane.js';
import { TcpFaultProxy, kubeConfigFor } from '../../support/fault-proxy.js';
import { createNamespace, widget } from '../../support/manager-harness.js';
import { eventually } from '../../support/poll.js';
import { Widget } from '../../support/widget.js';
import { firstSeen, readyz, runWidgetOperator } from './support.js';

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let transport: Transport;
let client: Client;

beforeAll(async () => {
  ({ env, kubeConfig, transport, client } = await startWidgetControlPlane());
});

afterAll(async () => {
  await stopWidgetControlPlane({ env, transport });
});

const since = (t: number): number => Math.round(performance.now() - t);

describe.each(['http2', 'http1'] as const)('connection health through a fault-injection proxy (real API server, %s)', (protocol) => {
  it('half-dead connections: a change made during the freeze is reconciled within 15 s with defaults', async () => {
    const ns = `rel-half-dead-${protocol}`;
    await createNamespace(client, ns);
    const proxy = await TcpFaultProxy.start(kubeConfig.getCurrentCluster()?.server ?? '');
    const op = runWidgetOperator(kubeConfigFor(kubeConfig, proxy.url), ns, { transport: { protocol } });
    try {
      await client.create(Widget, widget(ns, 'w'));
      await eventually(() => firstSeen(op.seen, 'w', 1), { what: 'the first reconcile' });
      // let the pool hold idle keep-alive connections too, then freeze every open connection
      await eventually(async () => (await client.get(Widget, { namespace: ns, name: 'w' })).status?.observedGeneration === 1, { what: 'status written' });
      const openAtFreeze = proxy.open;
      proxy.freezeOpen();
      const frozenAt = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
      const changedAt = performance.now();
      await client.patch(Widget, { namespace: ns, name: 'w' }, { spec: { size: 2 } });
      const seenAt = await eventually(() => firstSeen(op.seen, 'w', 2), { timeoutMs: 30_000, what: 'the change made during the freeze to be reconciled' });
      const reconciledMs = Math.round(seenAt - changedAt);
      console.log(`[reliability] half-dead (${protocol}): ${openAtFreeze} connections frozen; change reconciled ${reconciledMs} ms after it was made (${Math.round(seenAt - frozenAt)} ms after the freeze)`);
      expect(reconciledMs).toBeLessThanOrEqual(15_000);
      await eventually(async () => (await client.get(Widget, { namespace: ns, name: 'w' })).status?.observedGeneration === 2, { what: 'the status write after the reconnect' });
      const metrics = await op.mgr.metrics.scrape();
      // HTTP/1.1 finds the dead watch by its silence (a stall), HTTP/2 by an unanswered PING first;
      // either way the dead connections were dropped
      if (protocol === 'http1') expect(metrics).toMatch(/opkit_informer_watch_stalls_total\{kind="Widget\.v1\.test\.opkit\.dev",namespace="rel-half-dead-http1"\} [1-9]/);
      expect(metrics).toMatch(/opkit_rest_client_pool_flushes_total [1-9]/);
    } finally {
      await op.stop();
      await proxy.close();
    }
  }, 90_000);

  it('a server that never answers: get rejects at its deadline (30 s by default, or the configured one) with a typed Timeout', async () => {
    const ns = `rel-never-${protocol}`;
    await createNamespace(client, ns);
    await client.create(Widget, widget(ns, 'w'));
    const proxy = await TcpFaultProxy.start(kubeConfig.getCurrentCluster()?.server ?? '');
    const kc = kubeConfigFor(kubeConfig, proxy.url);
    const byDefault = createTransport(kc, { protocol });
    const configured = createTransport(kc, { protocol, requestTimeoutMs: 2000 });
    try {
      // connections open and TLS set up, then the server goes silent
      await createClient(byDefault).get(Widget, { namespace: ns, name: 'w' });
      proxy.freezeAll();
      const outcome = async (t: Transport) => {
        const start = performance.now();
        const err = await createClient(t)
          .get(Widget, { namespace: ns, name: 'w' })
          .then(() => undefined, (e: unknown) => e);
        return { err, ms: since(start) };
      };
      const [d, c] = await Promise.all([outcome(byDefault), outcome(configured)]);
      console.log(`[reliability] never answers (${protocol}): get rejected after ${d.ms} ms (default deadline) and ${c.ms} ms (requestTimeoutMs 2000)`);
      for (const [{ err, ms }, deadline] of [
        [d, 30_000],
        [c, 2_000],
      ] as const) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).reason).toBe('Timeout');
        expect((err as ApiError).retryable).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(deadline - 50);
        expect(ms).toBeLessThan(deadline + 3000);
      }
    } finally {
      byDefault.close();
      configured.close();
      await proxy.close();
    }
  }, 60_000);
});

// a 60 s test: run once, with the default protocol (HTTP/2)
describe('connection health through a fault-injection proxy (real API server, default protocol)', () => {
  it('every connection frozen for 60 s: /readyz fails within 15 s, and recovers within 2 s after the freeze ends', async () => {
    const ns = 'rel-freeze-all';
    await createNamespace(client, ns);
    const proxy = await TcpFaultProxy.start(kubeConfig.getCurrentCluster()?.server ?? '');
    const op = runWidgetOperator(kubeConfigFor(kubeConfig, proxy.url), ns, { healthProbeBindAddress: '127.0.0.1:0' });
    try {
      await client.create(Widget, widget(ns, 'w'));
      await eventually(() => firstSeen(op.seen, 'w', 1), { what: 'the first reconcile' });
      const port = op.mgr.healthProbeAddress()?.port ?? 0;
      await eventually(async () => (await readyz(port)) === 200, { what: '/readyz ok before the freeze' });
      proxy.freezeAll();
      const frozenAt = performance.now();
      await eventually(async () => (await readyz(port)) === 500, { timeoutMs: 30_000, intervalMs: 100, what: '/readyz to fail during the freeze' });
      const failedMs = since(frozenAt);
      // it stays failed for the whole freeze
      while (performance.now() - frozenAt < 60_000) {
        expect(await readyz(port)).toBe(500);
        await new Promise((r) => setTimeout(r, 2000));
      }
      await client.patch(Widget, { namespace: ns, name: 'w' }, { spec: { size: 2 } });
      proxy.thaw();
      const thawedAt = performance.now();
      await eventually(async () => (await readyz(port)) === 200, { timeoutMs: 30_000, intervalMs: 50, what: '/readyz to recover after the freeze' });
      const recoveredMs = since(thawedAt);
      console.log(`[reliability] freeze-all: /readyz failed ${failedMs} ms after the freeze, recovered ${recoveredMs} ms after it ended`);
      expect(failedMs).toBeLessThanOrEqual(15_000);
      expect(recoveredMs).toBeLessThanOrEqual(2_000);
      await eventually(() => firstSeen(op.seen, 'w', 2), { what: 'the change made during the freeze to be reconciled' });
    } finally {
      await op.stop();
      await proxy.close();
    }
  }, 150_000);
});
