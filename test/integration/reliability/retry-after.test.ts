import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { startWidgetControlPlane, stopWidgetControlPlane } from '../../support/control-plane.js';
import { HttpFaultProxy, type ProxiedRequest } from '../../support/fault-proxy.js';
import { createNamespace, widget } from '../../support/manager-harness.js';
import { eventually } from '../../support/poll.js';
import { Widget } from '../../support/widget.js';
import { firstSeen, runWidgetOperator } from './support.js';

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let transport: Transport;
let client: Client;
let proxy: HttpFaultProxy;

beforeAll(async () => {
  ({ env, kubeConfig, transport, client } = await startWidgetControlPlane());
  proxy = await HttpFaultProxy.start(kubeConfig);
});

afterAll(async () => {
  await proxy?.close();
  await stopWidgetControlPlane({ env, transport });
});

/** The requests to `path` after the injected 429, in ms after it. */
function after429(requests: readonly ProxiedRequest[]): number[] {
  const i = requests.findIndex((r) => r.injected === 429);
  expect(i).toBeGreaterThanOrEqual(0);
  const at = requests[i]?.at ?? 0;
  return requests.slice(i + 1).map((r) => Math.round(r.at - at));
}

describe('a 429 with Retry-After: 3 (real API server behind an HTTP fault proxy)', () => {
  it('the client sends nothing more to that path for 3 s — neither its retry nor another caller — then succeeds', async () => {
    const ns = 'ra-client';
    await createNamespace(client, ns);
    await client.create(Widget, widget(ns, 'w'));
    const path = `/apis/test.opkit.dev/v1/namespaces/${ns}/widgets/w`;
    proxy.inject({ match: (r) => r.method === 'GET' && r.path === path, status: 429, retryAfterSeconds: 3 });
    const t = createTransport(proxy.kubeConfig(kubeConfig));
    try {
      const c = createClient(t);
      const first = c.get(Widget, { namespace: ns, name: 'w' });
      await eventually(() => proxy.requestsTo(path).length === 1, { what: 'the 429' });
      const second = c.get(Widget, { namespace: ns, name: 'w' });
      const other = await c.get(Widget, { namespace: ns, name: 'other' }).catch((e: unknown) => e);
      expect(other).toMatchObject({ reason: 'NotFound' });
      expect((await first).metadata?.name).toBe('w');
      expect((await second).metadata?.name).toBe('w');
      const gaps = after429(proxy.requestsTo(path));
      console.log(`[reliability] Retry-After, client: requests to the path ${gaps.join(', ')} ms after the 429`);
      expect(gaps).toHaveLength(2);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(3000);
    } finally {
      t.close();
    }
  }, 60_000);

  it('the watcher sends no list or watch to that collection for 3 s after a 429 on its watch', async () => {
    const ns = 'ra-watch';
    await createNamespace(client, ns);
    const path = `/apis/test.opkit.dev/v1/namespaces/${ns}/widgets`;
    const op = runWidgetOperator(proxy.kubeConfig(kubeConfig), ns);
    try {
      await client.create(Widget, widget(ns, 'w'));
      await eventually(() => firstSeen(op.seen, 'w', 1), { what: 'the first reconcile' });
      // the next watch (the server ends each after 8 s) gets the 429
      proxy.inject({ match: (r) => r.method === 'GET' && r.path === path && r.query.get('watch') === 'true', status: 429, retryAfterSeconds: 3 });
      await eventually(() => proxy.requestsTo(path).some((r) => r.injected === 429), { timeoutMs: 20_000, what: 'the 429 on a watch' });
      await eventually(() => after429(proxy.requestsTo(path)).length > 0, { timeoutMs: 20_000, what: 'the watch to be retried' });
      const gaps = after429(proxy.requestsTo(path));
      console.log(`[reliability] Retry-After, watcher: next request to the collection ${gaps[0]} ms after the 429`);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(3000);
      await client.patch(Widget, { namespace: ns, name: 'w' }, { spec: { size: 2 } });
      await eventually(() => firstSeen(op.seen, 'w', 2), { what: 'events to flow again' });
    } finally {
      await op.stop();
    }
  }, 60_000);

  it('a reconcile whose write got the 429 is requeued no sooner than 3 s (not after its 5 ms backoff)', async () => {
    const ns = 'ra-requeue';
    await createNamespace(client, ns);
    const path = `/apis/test.opkit.dev/v1/namespaces/${ns}/widgets/w/status`;
    proxy.inject({ match: (r) => r.method === 'PATCH' && r.path === path, status: 429, retryAfterSeconds: 3 });
    // no retry inside the client: the reconcile fails and the controller requeues it
    const op = runWidgetOperator(proxy.kubeConfig(kubeConfig), ns, { transport: { retryAfterRetries: 0 } });
    try {
      await client.create(Widget, widget(ns, 'w'));
      await eventually(async () => (await client.get(Widget, { namespace: ns, name: 'w' })).status?.observedGeneration === 1, { timeoutMs: 20_000, what: 'the status write after the requeue' });
      const gaps = after429(proxy.requestsTo(path, 'PATCH'));
      console.log(`[reliability] Retry-After, requeue: the next status write ${gaps.join(', ')} ms after the 429`);
      expect(gaps.length).toBeGreaterThanOrEqual(1);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(3000);
      expect(op.lines.some((l) => l['msg'] === 'Reconciler error (throttled by the API server)' && l['retryAfterMs'] === 3000)).toBe(true);
      // the requeue itself waited: the second reconcile started 3 s after the first, not 5 ms
      const runs = op.seen.filter((s) => s.name === 'w').map((s) => s.at);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect((runs[1] ?? 0) - (runs[0] ?? 0)).toBeGreaterThanOrEqual(3000);
      // API Priority and Fairness: the real server's classification is in the debug log and the metrics
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      // the status is visible to other clients as soon as it is stored, which can be before the operator has read its own answer
      const answer = await eventually(() => op.lines.find((l) => l['msg'] === 'API answer' && l['path'] === path && l['status'] === 200), { timeoutMs: 10_000, what: 'the operator\'s debug line for its successful status write' });
      expect(answer?.['flowSchemaUid']).toMatch(uuid);
      expect(answer?.['priorityLevelUid']).toMatch(uuid);
      expect(await op.mgr.metrics.scrape()).toMatch(/opkit_rest_client_apf_requests_total\{flow_schema_uid="[0-9a-f-]{36}",priority_level_uid="[0-9a-f-]{36}"\} [1-9]/);
    } finally {
      await op.stop();
    }
  }, 60_000);
});
