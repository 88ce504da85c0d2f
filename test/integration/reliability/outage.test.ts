import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../../runtime/src/client/client.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { startWidgetControlPlane, stopWidgetControlPlane } from '../../support/control-plane.js';
import { createNamespace, widget } from '../../support/manager-harness.js';
import { eventually } from '../../support/poll.js';
import { Widget } from '../../support/widget.js';
import { firstSeen, runWidgetOperator } from './support.js';

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

const OBJECTS = 500;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many Widgets in `ns` the operator has not caught up with (status.observedGeneration ≠ generation). */
async function notConverged(ns: string): Promise<string[]> {
  const all = await client.list(Widget, { namespace: ns });
  return all.filter((w) => w.status?.observedGeneration !== w.metadata?.generation).map((w) => w.metadata?.name ?? '');
}

describe('recovery after API server outages (real API server)', () => {
  it('500 objects under write load, three restarts and one 15 s stop: every restart reconciles a new write within 2 s of /readyz, and nothing is left behind 5 s after the writers stop', async () => {
    const ns = 'rel-outage';
    await createNamespace(client, ns);
    const names = Array.from({ length: OBJECTS }, (_, i) => `w${i}`);
    for (let i = 0; i < names.length; i += 25) await Promise.all(names.slice(i, i + 25).map((n) => client.create(Widget, widget(ns, n))));
    await client.create(Widget, widget(ns, 'probe'));
    const op = runWidgetOperator(kubeConfig, ns);
    let writing = true;
    let writes = 0;
    let failedWrites = 0;
    const writer = async (seed: number) => {
      for (let i = seed; writing; i += 7) {
        const name = names[(i * 37) % OBJECTS] as string;
        try {
          await client.patch(Widget, { namespace: ns, name }, { spec: { size: i } });
          writes++;
        } catch {
          failedWrites++;
        }
        await pause(40);
      }
    };
    const recoveries: number[] = [];
    /** The write right after /readyz turned ok, and how long until the operator reconciled it. */
    const probe = async (readyAt: number, round: number) => {
      const written = await client.patch(Widget, { namespace: ns, name: 'probe' }, { spec: { size: 1000 + round } });
      const seenAt = await eventually(() => firstSeen(op.seen, 'probe', written.metadata?.generation ?? 0), { timeoutMs: 30_000, what: `the write after outage ${round}` });
      recoveries.push(Math.round(seenAt - readyAt));
    };
    try {
      await eventually(async () => (await notConverged(ns)).length === 0, { timeoutMs: 60_000, intervalMs: 500, what: 'the initial convergence' });
      const writers = [writer(1), writer(2)];
      for (let round = 1; round <= 3; round++) {
        await pause(2000);
        await env.restartApiServer();
        await probe(performance.now(), round);
      }
      await pause(2000);
      await env.stopApiServer();
      await pause(15_000);
      await env.startApiServer();
      await probe(performance.now(), 4);
      await pause(2000);
      writing = false;
      await Promise.all(writers);
      await pause(5000);
      const behind = await notConverged(ns);
      console.log(`[reliability] outage: ${writes} writes (${failedWrites} failed during outages); first reconcile of a new write after /readyz ok: ${recoveries.join(', ')} ms (restarts 1-3, then the 15 s stop); ${behind.length} not converged 5 s after the writers stopped`);
      expect(behind).toEqual([]);
      expect(recoveries).toHaveLength(4);
      for (const ms of recoveries) expect(ms).toBeLessThanOrEqual(2000);
      expect(failedWrites).toBeGreaterThan(0);
    } finally {
      writing = false;
      await op.stop();
    }
  }, 240_000);
});
