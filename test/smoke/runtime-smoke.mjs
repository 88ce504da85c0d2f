// Smoke test of the built @opkit/runtime on whatever Node runs this file (CI: Node 24).
// Exits non-zero on the first failed check; prints "N passed, 0 failed" at the end.
import assert from 'node:assert/strict';
import { ConfigMap, Manager, controller } from '@opkit/runtime';
import { createClient, createTransport } from '@opkit/runtime/client';
import { silentLogger } from '@opkit/runtime/log';
import { TestEnvironment } from '@opkit/runtime/testing';

const checks = [];
const check = (name, fn) => checks.push({ name, fn });

const env = new TestEnvironment();
const { kubeConfig } = await env.start();
const transport = createTransport(kubeConfig);
const client = createClient(transport);

check('client creates and reads a ConfigMap', async () => {
  await client.create(ConfigMap, { metadata: { name: 'smoke', namespace: 'default', labels: { app: 'smoke' } }, data: { a: '1' } });
  const cm = await client.get(ConfigMap, { namespace: 'default', name: 'smoke' });
  assert.equal(cm.data.a, '1');
  assert.equal(cm.kind, 'ConfigMap');
});
check('client lists by label selector', async () => {
  const items = await client.list(ConfigMap, { namespace: 'default', labelSelector: { app: 'smoke' } });
  assert.deepEqual(items.map((i) => i.metadata.name), ['smoke']);
});
check('server-side apply and delete', async () => {
  const applied = await client.apply(ConfigMap, { metadata: { name: 'smoke', namespace: 'default' }, data: { a: '2' } }, { fieldManager: 'smoke', force: true });
  assert.equal(applied.data.a, '2');
  assert.equal(await client.delete(ConfigMap, { namespace: 'default', name: 'smoke' }), true);
  assert.equal(await client.delete(ConfigMap, { namespace: 'default', name: 'smoke' }), false);
});

check('a manager runs a controller that reconciles a created ConfigMap', async () => {
  const mgr = new Manager({ kubeConfig, logger: silentLogger });
  const seen = [];
  controller(mgr)
    .for(ConfigMap)
    .reconcile(async (req, ctx) => {
      const cm = await ctx.client.get(ConfigMap, req).catch(() => undefined);
      if (cm?.metadata?.labels?.smoke === 'controller') seen.push(req.name);
    });
  const stop = new AbortController();
  const running = mgr.start(stop.signal);
  await client.create(ConfigMap, { metadata: { name: 'reconciled', namespace: 'default', labels: { smoke: 'controller' } } });
  const deadline = Date.now() + 30_000;
  while (!seen.includes('reconciled') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  stop.abort();
  await running;
  assert.ok(seen.includes('reconciled'), 'the controller did not reconcile the ConfigMap within 30 s');
});

let passed = 0;
let failed = 0;
for (const { name, fn } of checks) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}\n${err?.stack ?? err}`);
  }
}
transport.close();
await env.stop();
console.log(`smoke (node ${process.version}): ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
