/** The helpers against a real API server: guarded patches, conflicts, owner references, createOrUpdate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { Client } from '../../../runtime/src/client/client.js';
import { isConflict } from '../../../runtime/src/client/errors.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { createOrPatch, createOrUpdate } from '../../../runtime/src/helpers/create-or-update.js';
import { AlreadyOwnedError, FinalizerError } from '../../../runtime/src/helpers/errors.js';
import { addFinalizer, removeFinalizer } from '../../../runtime/src/helpers/finalizers.js';
import { setControllerReference } from '../../../runtime/src/helpers/owner.js';
import { retryOnConflict } from '../../../runtime/src/helpers/retry.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { stopWidgetControlPlane, startWidgetControlPlane } from '../../support/control-plane.js';
import { createNamespace, widget } from '../../support/manager-harness.js';
import { Widget } from '../../support/widget.js';

let env: TestEnvironment;
let transport: Transport;
let client: Client;
const ns = 'helpers';

beforeAll(async () => {
  ({ env, transport, client } = await startWidgetControlPlane());
  await createNamespace(client, ns);
});

afterAll(async () => {
  await stopWidgetControlPlane({ env, transport });
});

describe('helpers against a real API server', () => {
  it('guarded finalizer patches: add to none and to some, refuse when the finalizers changed meanwhile, remove by index', async () => {
    const obj = await client.create(Widget, widget(ns, 'fin'));
    const one = await addFinalizer(client, Widget, obj, 'a.opkit.dev/x');
    expect(one.metadata?.finalizers).toEqual(['a.opkit.dev/x']);
    const two = await addFinalizer(client, Widget, one, 'b.opkit.dev/y');
    expect(two.metadata?.finalizers).toEqual(['a.opkit.dev/x', 'b.opkit.dev/y']);
    // `one` is stale: its finalizers array no longer matches, so the JSON patch `test` fails.
    const stale = await addFinalizer(client, Widget, one, 'c.opkit.dev/z').catch((err: unknown) => err);
    expect(stale).toBeInstanceOf(FinalizerError);
    expect(stale).toMatchObject({ reason: 'AddFinalizer', retryable: true });
    expect((await client.get(Widget, { namespace: ns, name: 'fin' })).metadata?.finalizers).toEqual(['a.opkit.dev/x', 'b.opkit.dev/y']);
    const removed = await removeFinalizer(client, Widget, two, 'a.opkit.dev/x');
    expect(removed.metadata?.finalizers).toEqual(['b.opkit.dev/y']);
    await expect(removeFinalizer(client, Widget, two, 'b.opkit.dev/y')).rejects.toMatchObject({ reason: 'RemoveFinalizer' });
    await removeFinalizer(client, Widget, removed, 'b.opkit.dev/y');
    expect((await client.get(Widget, { namespace: ns, name: 'fin' })).metadata?.finalizers).toBeUndefined();
  });

  it('removing a finalizer through a stale read of an object that is gone resolves: nothing holds it any more', async () => {
    const held = await addFinalizer(client, Widget, await client.create(Widget, widget(ns, 'fin-gone')), 'a.opkit.dev/x');
    await client.delete(Widget, { namespace: ns, name: 'fin-gone' });
    const deleting = await client.get(Widget, { namespace: ns, name: 'fin-gone' });
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    await removeFinalizer(client, Widget, deleting, 'a.opkit.dev/x'); // the last finalizer: the object goes
    await expect(client.get(Widget, { namespace: ns, name: 'fin-gone' })).rejects.toMatchObject({ reason: 'NotFound' });
    // `deleting` (and `held`) are now stale reads, as a second reconcile from a lagging cache has.
    await expect(removeFinalizer(client, Widget, deleting, 'a.opkit.dev/x')).resolves.toBe(deleting);
    await expect(removeFinalizer(client, Widget, held, 'a.opkit.dev/x')).resolves.toBe(held);
  });

  it('retryOnConflict re-reads and wins over a concurrent writer', async () => {
    await client.create(ConfigMap, { metadata: { namespace: ns, name: 'counter' }, data: { n: '0' } });
    const key = { namespace: ns, name: 'counter' };
    let attempts = 0;
    // the three first attempts all read the same version before any of them writes: two must conflict
    let reads = 0;
    let allRead: () => void = () => undefined;
    const firstReads = new Promise<void>((resolve) => (allRead = resolve));
    const increment = () =>
      retryOnConflict(async () => {
        attempts++;
        const cm = await client.get(ConfigMap, key);
        if (++reads === 3) allRead();
        await firstReads;
        cm.data = { n: String(Number(cm.data?.['n'] ?? 0) + 1) };
        return client.update(ConfigMap, cm);
      });
    await Promise.all([increment(), increment(), increment()]);
    expect((await client.get(ConfigMap, key)).data?.['n']).toBe('3');
    expect(attempts).toBeGreaterThanOrEqual(5);
    const stale = await client.get(ConfigMap, key);
    await client.update(ConfigMap, { ...stale, data: { n: 'x' } });
    expect(await client.update(ConfigMap, { ...stale, data: { n: 'y' } }).catch((e: unknown) => isConflict(e))).toBe(true);
  });

  it('setControllerReference is accepted by the server and refuses a second controller', async () => {
    const owner = await client.create(Widget, widget(ns, 'owner'));
    const other = await client.create(Widget, widget(ns, 'other'));
    const cm: ConfigMap = setControllerReference(owner, { metadata: { namespace: ns, name: 'owned' }, data: {} }, Widget);
    const created = await client.create(ConfigMap, cm);
    expect(created.metadata?.ownerReferences).toEqual([
      { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: 'owner', uid: owner.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(() => setControllerReference(other, created, Widget)).toThrow(AlreadyOwnedError);
  });

  it('createOrUpdate and createOrPatch report created, updated and unchanged', async () => {
    const key = { namespace: ns, name: 'desired' };
    const desired = (v: string) => (cm: ConfigMap) => void (cm.data = { ...cm.data, v });
    expect((await createOrUpdate(client, ConfigMap, key, desired('1'))).result).toBe('created');
    expect((await createOrUpdate(client, ConfigMap, key, desired('1'))).result).toBe('unchanged');
    const updated = await createOrUpdate(client, ConfigMap, key, desired('2'));
    expect(updated.result).toBe('updated');
    expect(updated.object.data).toEqual({ v: '2' });
    await client.create(Widget, widget(ns, 'patched'));
    const patched = await createOrPatch(client, Widget, { namespace: ns, name: 'patched' }, (w) => {
      w.spec = { ...w.spec, color: 'green' };
      w.status = { phase: 'Ready' };
    });
    expect(patched.result).toBe('updated');
    expect(patched.object).toMatchObject({ spec: { color: 'green', size: 1 }, status: { phase: 'Ready' } });
    expect((await createOrPatch(client, Widget, { namespace: ns, name: 'patched' }, (w) => void (w.spec = { ...w.spec, color: 'green' }))).result).toBe('unchanged');
  });
});
