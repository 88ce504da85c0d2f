/**
 * TestEnvironment({ controllers: ['garbagecollector', 'namespace'] }) runs a real
 * kube-controller-manager: owner references and namespace deletion behave as in a cluster.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap, Namespace } from '../../../runtime/src/api/builtins.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment, TestEnvironmentError, type StartedEnvironment } from '../../../runtime/src/testing/index.js';
import { eventually } from '../../support/poll.js';
import { processesMatching } from '../../support/processes.js';
import { Widget, WIDGET_CRD } from '../../support/widget.js';

describe('garbage collection in the test control plane', () => {
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD], controllers: ['garbagecollector', 'namespace'] });
  let started: StartedEnvironment;
  let transport: Transport;
  let client: Client;

  beforeAll(async () => {
    started = await env.start();
    transport = createTransport(started.kubeConfig);
    client = createClient(transport);
  });
  afterAll(async () => {
    transport?.close();
    await env.stop();
  });

  const gone = async (read: () => Promise<unknown>): Promise<boolean> => {
    try {
      await read();
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  };
  const owned = async (owner: string, names: readonly string[]): Promise<void> => {
    const widget = await client.create(Widget, { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { name: owner, namespace: 'default' }, spec: { size: 1 } });
    const ref = { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: owner, uid: widget.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
    for (const name of names) await client.create(ConfigMap, { metadata: { name, namespace: 'default', ownerReferences: [ref] }, data: { owner } });
  };
  const configMap = (name: string) => () => client.get(ConfigMap, { namespace: 'default', name });
  const widget = (name: string) => () => client.get(Widget, { namespace: 'default', name });

  it('deleting an owner (background) removes its dependents', async () => {
    await owned('bg', ['bg-a', 'bg-b']);
    await client.delete(Widget, { namespace: 'default', name: 'bg' });
    await eventually(async () => (await gone(configMap('bg-a'))) && (await gone(configMap('bg-b'))), { timeoutMs: 60_000, what: 'the dependents to be collected' });
  });

  it('a foreground delete keeps the owner until its blocking dependents are gone', async () => {
    await owned('fg', ['fg-a']);
    await client.delete(Widget, { namespace: 'default', name: 'fg' }, { propagationPolicy: 'Foreground' });
    const deleting = await client.get(Widget, { namespace: 'default', name: 'fg' }).catch(() => undefined);
    // either still there, marked for foreground deletion, or already gone after its dependent
    if (deleting !== undefined) expect(deleting.metadata?.finalizers).toContain('foregroundDeletion');
    await eventually(async () => (await gone(configMap('fg-a'))) && (await gone(widget('fg'))), { timeoutMs: 60_000, what: 'dependent, then owner' });
  });

  it('an orphaning delete keeps the dependents and removes their owner reference', async () => {
    await owned('or', ['or-a']);
    await client.delete(Widget, { namespace: 'default', name: 'or' }, { propagationPolicy: 'Orphan' });
    await eventually(async () => (await gone(widget('or'))) && ((await configMap('or-a')()).metadata?.ownerReferences ?? []).length === 0, {
      timeoutMs: 60_000,
      what: 'the owner gone and the dependent orphaned',
    });
  });

  it('deleting a namespace empties it and removes it', async () => {
    await client.create(Namespace, { metadata: { name: 'doomed' } });
    await client.create(ConfigMap, { metadata: { name: 'inside', namespace: 'doomed' } });
    await client.delete(Namespace, { name: 'doomed' });
    await eventually(() => gone(() => client.get(Namespace, { name: 'doomed' })), { timeoutMs: 60_000, what: 'the namespace to be removed' });
    expect(await gone(() => client.get(ConfigMap, { namespace: 'doomed', name: 'inside' }))).toBe(true);
  });

  it('stop() stops kube-controller-manager too', async () => {
    const other = new TestEnvironment({ controllers: ['garbagecollector'] });
    const { kubeconfigPath } = await other.start();
    const dir = dirname(kubeconfigPath);
    expect(processesMatching(`${dir}/kube-controller-manager`).length).toBe(1);
    await other.stop();
    expect(processesMatching(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses malformed controller names before starting anything', async () => {
    const bad = new TestEnvironment({ controllers: ['Garbage Collector'] });
    const err = await bad.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestEnvironmentError);
    expect((err as TestEnvironmentError).reason).toBe('InvalidControllers');
    expect((err as Error).message).toMatch(/e\.g\. \['garbagecollector', 'namespace'\]/);
  });
});
