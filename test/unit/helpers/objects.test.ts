import { describe, expect, it } from 'vitest';
import { ConfigMap, Namespace } from '../../../runtime/src/api/builtins.js';
import { createOrPatch, createOrUpdate, mergePatch } from '../../../runtime/src/helpers/create-or-update.js';
import { AlreadyOwnedError, FinalizerError, HelperError, OwnerReferenceError } from '../../../runtime/src/helpers/errors.js';
import { addFinalizer, finalizer, hasFinalizer, removeFinalizer } from '../../../runtime/src/helpers/finalizers.js';
import { controllerReferenceTo, getControllerOf, isControlledBy, setControllerReference, setOwnerReference } from '../../../runtime/src/helpers/owner.js';
import { deepFreeze } from '../../../runtime/src/cache/transform.js';
import type { Client } from '../../../runtime/src/client/client.js';
import { TerminalError, isTerminalError } from '../../../runtime/src/controller/errors.js';
import { cachedClient } from '../../../runtime/src/manager/client.js';
import { MemoryClient } from '../../support/memory-client.js';
import { Widget } from '../../support/widget.js';

const owner: Widget = { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'w', uid: 'uid-w' } };

describe('setControllerReference / setOwnerReference', () => {
  it('adds a controller reference with blockOwnerDeletion, idempotently', () => {
    const cm: ConfigMap = { metadata: { namespace: 'ns', name: 'c' } };
    setControllerReference(owner, cm, Widget);
    setControllerReference(owner, cm, Widget);
    expect(cm.metadata?.ownerReferences).toEqual([{ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: 'w', uid: 'uid-w', controller: true, blockOwnerDeletion: true }]);
    expect(isControlledBy(cm, owner)).toBe(true);
    expect(getControllerOf(cm)?.name).toBe('w');
  });

  it('refuses when another controller owns the object, with a typed error, leaving it unchanged', () => {
    const cm: ConfigMap = { metadata: { namespace: 'ns', name: 'c' } };
    setControllerReference(owner, cm, Widget);
    const other: Widget = { metadata: { namespace: 'ns', name: 'other', uid: 'uid-o' } };
    const before = structuredClone(cm);
    const err = (() => {
      try {
        setControllerReference(other, cm, Widget);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(AlreadyOwnedError);
    expect(err).toMatchObject({ reason: 'AlreadyOwned', owner: { kind: 'Widget', name: 'w', uid: 'uid-w' } });
    expect(cm).toEqual(before);
  });

  it('keeps other owners, and adds plain owner references next to the controller', () => {
    const cm: ConfigMap = { metadata: { namespace: 'ns', name: 'c' } };
    setOwnerReference({ metadata: { namespace: 'ns', name: 'x', uid: 'uid-x' } }, cm, Widget);
    setControllerReference(owner, cm, Widget);
    setOwnerReference(owner, cm, Widget);
    expect(cm.metadata?.ownerReferences?.map((r) => [r.name, r.controller ?? false])).toEqual([
      ['x', false],
      ['w', true],
    ]);
  });

  it('controllerReferenceTo builds the reference for an object built by hand (an apply configuration), and refuses an unsaved owner', () => {
    expect(controllerReferenceTo(owner, Widget)).toEqual({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: 'w', uid: 'uid-w', controller: true, blockOwnerDeletion: true });
    expect(controllerReferenceTo(owner, Widget, { blockOwnerDeletion: false })).toEqual({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: 'w', uid: 'uid-w', controller: true });
    expect(() => controllerReferenceTo({ metadata: { name: 'new' } }, Widget)).toThrow(expect.objectContaining({ reason: 'OwnerNotPersisted' }));
  });

  it('refuses cross-namespace, namespaced-owner-of-cluster-scoped, and unsaved owners', () => {
    expect(() => setControllerReference(owner, { metadata: { namespace: 'other', name: 'c' } }, Widget)).toThrow(OwnerReferenceError);
    expect(() => setControllerReference(owner, { metadata: { name: 'ns1' } }, Widget)).toThrow(/cluster-scoped/);
    expect(() => setControllerReference({ metadata: { namespace: 'ns', name: 'w' } }, { metadata: { namespace: 'ns', name: 'c' } }, Widget)).toThrow(/uid/);
    const ns = { metadata: { name: 'ns', uid: 'uid-ns' } };
    const cm: ConfigMap = { metadata: { namespace: 'ns', name: 'c' } };
    expect(setControllerReference(ns, cm, Namespace).metadata?.ownerReferences?.[0]?.kind).toBe('Namespace');
  });
});

describe('finalizers (guarded JSON patches) and the finalizer flow', () => {
  const seed = async (finalizers?: string[]): Promise<{ client: MemoryClient; obj: Widget }> => {
    const client = new MemoryClient();
    const obj = await client.create(Widget, { metadata: { namespace: 'ns', name: 'w', ...(finalizers ? { finalizers } : {}) } });
    return { client, obj };
  };

  it('adds with test+add: null → [name], and [a] → [a, name]; a no-op when present', async () => {
    const { client, obj } = await seed();
    const added = await addFinalizer(client, Widget, obj, 'opkit.dev/cleanup');
    expect(added.metadata?.finalizers).toEqual(['opkit.dev/cleanup']);
    expect(client.calls.at(-1)?.body).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: ['opkit.dev/cleanup'] },
    ]);
    const calls = client.calls.length;
    await addFinalizer(client, Widget, added, 'opkit.dev/cleanup');
    expect(client.calls.length).toBe(calls);
    const more = await addFinalizer(client, Widget, added, 'b');
    expect(more.metadata?.finalizers).toEqual(['opkit.dev/cleanup', 'b']);
  });

  it('fails (typed, retryable) instead of duplicating when the finalizers changed concurrently', async () => {
    const { client, obj } = await seed(['a']);
    client.put(Widget, { ...obj, metadata: { ...obj.metadata, finalizers: ['a', 'mine'] } });
    await expect(addFinalizer(client, Widget, obj, 'mine')).rejects.toMatchObject({ reason: 'AddFinalizer', retryable: true });
  });

  it('removes with test+remove by index, never another finalizer', async () => {
    const { client, obj } = await seed(['a', 'mine', 'b']);
    const removed = await removeFinalizer(client, Widget, obj, 'mine');
    expect(removed.metadata?.finalizers).toEqual(['a', 'b']);
    expect(client.calls.at(-1)?.body).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: 'mine' },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    const { client: c2, obj: o2 } = await seed(['a', 'mine']);
    c2.put(Widget, { ...o2, metadata: { ...o2.metadata, finalizers: ['mine'] } });
    await expect(removeFinalizer(c2, Widget, o2, 'mine')).rejects.toBeInstanceOf(FinalizerError);
  });

  it('flow: live object without the finalizer → add it, then apply the patched object', async () => {
    const { client, obj } = await seed();
    const seen: Widget[] = [];
    const out = await finalizer(client, Widget, obj, 'f', { apply: (o) => (seen.push(o), 'applied'), cleanup: () => 'cleaned' });
    expect(out).toBe('applied');
    expect(hasFinalizer(seen[0] ?? {}, 'f')).toBe(true);
  });

  it('flow: deleted object with the finalizer → cleanup, then remove; a failing cleanup keeps the finalizer', async () => {
    const { client, obj } = await seed(['f']);
    const deleting = { ...obj, metadata: { ...obj.metadata, deletionTimestamp: new Date() } };
    const failing = finalizer(client, Widget, deleting, 'f', {
      apply: () => 'applied',
      cleanup: () => {
        throw new Error('backend unavailable');
      },
    });
    await expect(failing).rejects.toMatchObject({ reason: 'CleanupFailed', retryable: true });
    expect((await client.get(Widget, { namespace: 'ns', name: 'w' })).metadata?.finalizers).toEqual(['f']);
    expect(await finalizer(client, Widget, deleting, 'f', { apply: () => 'applied', cleanup: () => 'cleaned' })).toBe('cleaned');
    expect((await client.get(Widget, { namespace: 'ns', name: 'w' })).metadata?.finalizers).toEqual([]);
    expect(await finalizer(client, Widget, { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } }, 'f', { apply: () => 1, cleanup: () => 2 })).toBeUndefined();
  });
});

describe('helpers given the cache\'s frozen objects', () => {
  it('setControllerReference and setOwnerReference refuse a frozen object with a FrozenObject error naming the fix', () => {
    const frozen = deepFreeze<ConfigMap>({ metadata: { namespace: 'ns', name: 'c' } });
    expect(() => setControllerReference(owner, frozen, Widget)).toThrow(HelperError);
    expect(() => setControllerReference(owner, frozen, Widget)).toThrow(
      "setControllerReference: the metadata of c is frozen — it is the cache's shared object (read with unsafeDisableDeepCopy); pass a copy: deepCopy(object)",
    );
    expect(() => setOwnerReference(owner, frozen, Widget)).toThrow(expect.objectContaining({ reason: 'FrozenObject' }));
  });

  it('finalizer flow: the user\'s error is the cause itself (an Error with its stack), and a TerminalError cause stays terminal', async () => {
    const client = new MemoryClient();
    const obj = await client.create(Widget, { metadata: { namespace: 'ns', name: 'w', finalizers: ['f'] } });
    const userError = new RangeError('replicas must be ≤ 10');
    const err = await finalizer(client, Widget, obj, 'f', {
      apply: () => {
        throw userError;
      },
      cleanup: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FinalizerError);
    expect((err as FinalizerError).cause).toBe(userError);
    expect(((err as FinalizerError).cause as Error).stack).toContain('objects.test.ts');
    expect((err as Error).message).toBe('apply of Widget w failed: replicas must be ≤ 10');
    const terminal = await finalizer(client, Widget, obj, 'f', {
      apply: () => {
        throw new TerminalError('spec.image is required');
      },
      cleanup: () => undefined,
    }).catch((e: unknown) => e);
    expect(isTerminalError(terminal)).toBe(true);
  });
});

/** The manager's client with `unsafeDisableDeepCopy` over a reader of deep-frozen objects, like the cache's. */
function frozenReads(client: MemoryClient): Client {
  return cachedClient({
    reader: { get: async (r, key) => deepFreeze(await client.get(r, key)), list: async (r) => deepFreeze(await client.list(r)) },
    writer: client,
    unsafeDisableDeepCopy: true,
  });
}

describe('createOrUpdate / createOrPatch', () => {
  const key = { namespace: 'ns', name: 'cm' };

  it('work when the client reads the cache\'s frozen objects: mutate gets a copy, the read is left as it was', async () => {
    const memory = new MemoryClient();
    const client = frozenReads(memory);
    const mutate = (value: string) => (cm: ConfigMap) => void (cm.data = { ...cm.data, k: value });
    expect((await createOrUpdate(client, ConfigMap, key, mutate('1'))).result).toBe('created');
    const updated = await createOrUpdate(client, ConfigMap, key, mutate('2'));
    expect(updated.result).toBe('updated');
    expect(updated.object.data).toEqual({ k: '2' });
    expect((await createOrUpdate(client, ConfigMap, key, mutate('2'))).result).toBe('unchanged');
    await memory.create(Widget, { metadata: { namespace: 'ns', name: 'w' }, spec: { size: 1 } });
    const patched = await createOrPatch(client, Widget, { namespace: 'ns', name: 'w' }, (w) => {
      w.spec = { ...w.spec, size: 3 };
      w.status = { phase: 'Ready' };
    });
    expect(patched.result).toBe('updated');
    expect(patched.object).toMatchObject({ spec: { size: 3 }, status: { phase: 'Ready' } });
  });

  it('creates, then updates only when mutate changed something, then reports unchanged', async () => {
    const client = new MemoryClient();
    const mutate = (value: string) => (cm: ConfigMap) => void (cm.data = { ...cm.data, k: value });
    expect((await createOrUpdate(client, ConfigMap, key, mutate('1'))).result).toBe('created');
    expect((await createOrUpdate(client, ConfigMap, key, mutate('2'))).result).toBe('updated');
    const writes = client.calls.filter((c) => c.verb !== 'get').length;
    const again = await createOrUpdate(client, ConfigMap, key, mutate('2'));
    expect(again.result).toBe('unchanged');
    expect(client.calls.filter((c) => c.verb !== 'get').length).toBe(writes);
    expect(again.object.data).toEqual({ k: '2' });
  });

  it('refuses a mutate that changes the name', async () => {
    const client = new MemoryClient();
    await expect(createOrUpdate(client, ConfigMap, key, (cm) => void (cm.metadata = { name: 'other', namespace: 'ns' }))).rejects.toBeInstanceOf(HelperError);
  });

  it('createOrPatch sends a merge patch of exactly the change, and the status through the status subresource', async () => {
    const client = new MemoryClient();
    await client.create(Widget, { metadata: { namespace: 'ns', name: 'w', labels: { a: '1', b: '2' } }, spec: { size: 1, color: 'red' } });
    const out = await createOrPatch(client, Widget, { namespace: 'ns', name: 'w' }, (w) => {
      w.spec = { ...w.spec, size: 2 };
      delete w.metadata?.labels?.['b'];
      w.status = { phase: 'Ready' };
    });
    expect(out.result).toBe('updated');
    const writes = client.calls.filter((c) => c.verb === 'patch' || c.verb === 'status.patch');
    expect(writes.map((c) => [c.verb, c.body])).toEqual([
      ['patch', { metadata: { labels: { b: null } }, spec: { size: 2 } }],
      ['status.patch', { status: { phase: 'Ready' } }],
    ]);
    expect((await createOrPatch(client, Widget, { namespace: 'ns', name: 'w' }, () => undefined)).result).toBe('unchanged');
  });

  it('mergePatch follows RFC 7386', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: 1, b: { c: 2 }, e: [1, 2], f: 'x' })).toEqual({ b: { d: null }, e: [1, 2], f: 'x' });
    expect(mergePatch({ a: 1 }, { a: 1 })).toBeUndefined();
  });
});
