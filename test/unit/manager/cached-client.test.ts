import { describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { deepFreeze } from '../../../runtime/src/cache/transform.js';
import type { Client, Reader } from '../../../runtime/src/client/client.js';
import { cachedClient } from '../../../runtime/src/manager/client.js';
import { deepCopy } from '../../../runtime/src/util/deep-copy.js';

const cached: ConfigMap = deepFreeze({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'ns', name: 'a', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }] },
  data: { k: 'v' },
});

/** A reader that answers with one shared, frozen object, like the informer cache. */
const reader: Reader = {
  get: async () => cached as never,
  list: async () => [cached] as never,
};
const writer = { status: {} } as Client;

describe("the manager's client: reads from the cache", () => {
  it('returns private, unfrozen copies by default: get → change → update works', async () => {
    const client = cachedClient({ reader, writer });
    const got = await client.get(ConfigMap, { namespace: 'ns', name: 'a' });
    expect(got).toEqual(cached);
    expect(got).not.toBe(cached);
    got.data = { k: 'changed' };
    got.metadata?.ownerReferences?.push({ apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'w' });
    expect(cached.data).toEqual({ k: 'v' });
    expect(cached.metadata?.ownerReferences).toHaveLength(1);
    const [listed] = await client.list(ConfigMap);
    expect(listed).not.toBe(cached);
    if (listed?.metadata?.labels) listed.metadata.labels['app'] = 'db';
    expect(cached.metadata?.labels).toEqual({ app: 'web' });
  });

  it('returns the shared, frozen objects with unsafeDisableDeepCopy, per client or per read', async () => {
    const fast = cachedClient({ reader, writer, unsafeDisableDeepCopy: true });
    const shared = await fast.get(ConfigMap, { namespace: 'ns', name: 'a' });
    expect(shared).toBe(cached);
    expect(() => {
      (shared as { data?: Record<string, string> }).data = {};
    }).toThrow(TypeError);
    expect((await fast.list(ConfigMap))[0]).toBe(cached);
    // A single read may still ask for a copy, and the default client may ask for the shared object.
    expect(await fast.get(ConfigMap, { namespace: 'ns', name: 'a' }, { unsafeDisableDeepCopy: false })).not.toBe(cached);
    const safe = cachedClient({ reader, writer });
    expect(await safe.get(ConfigMap, { namespace: 'ns', name: 'a' }, { unsafeDisableDeepCopy: true })).toBe(cached);
    expect((await safe.list(ConfigMap, { unsafeDisableDeepCopy: true }))[0]).toBe(cached);
  });
});

describe('deepCopy', () => {
  it('copies JSON data deeply, shares nothing, and unfreezes', () => {
    const source = deepFreeze({ a: [1, { b: 'c' }], d: { e: null, f: true }, g: new Date(5) });
    const copy = deepCopy(source);
    expect(copy).toEqual(source);
    expect(Object.isFrozen(copy) || Object.isFrozen(copy.a) || Object.isFrozen(copy.a[1]) || Object.isFrozen(copy.d)).toBe(false);
    expect(copy.a).not.toBe(source.a);
    expect(copy.g).toBeInstanceOf(Date);
    expect(copy.g).not.toBe(source.g);
  });

  it('keeps a __proto__ key as data (a valid ConfigMap key) instead of setting the prototype', () => {
    const source = JSON.parse('{"data":{"__proto__":{"polluted":"yes"}}}') as { data: Record<string, unknown> };
    const copy = deepCopy(source);
    expect(Object.getPrototypeOf(copy.data)).toBe(Object.prototype);
    expect(Object.keys(copy.data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('copies own keys only, in their order, even while Object.prototype has an enumerable property', () => {
    const source = deepFreeze({ metadata: { name: 'c', labels: { b: '1', a: '2', '10': 'x', '2': 'y' } }, data: Object.assign(Object.create(null) as object, { k: 'v' }) });
    const expected = JSON.stringify(source);
    expect(JSON.stringify(deepCopy(source))).toBe(expected);
    Object.defineProperty(Object.prototype, 'opkitPolluted', { value: { deep: true }, enumerable: true, writable: true, configurable: true });
    try {
      const copy = deepCopy(source);
      expect(Object.keys(copy.metadata.labels)).toEqual(['2', '10', 'b', 'a']);
      expect(Object.hasOwn(copy, 'opkitPolluted') || Object.hasOwn(copy.metadata, 'opkitPolluted') || Object.hasOwn(copy.metadata.labels, 'opkitPolluted')).toBe(false);
      expect(JSON.stringify(copy)).toBe(expected);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['opkitPolluted'];
    }
    expect(Object.keys(deepCopy(source).metadata.labels)).toEqual(['2', '10', 'b', 'a']);
  });

  it('copies other class instances with structuredClone', () => {
    const source = { m: new Map([['k', 1]]) };
    const copy = deepCopy(source);
    expect(copy.m).toBeInstanceOf(Map);
    expect(copy.m).not.toBe(source.m);
    expect(copy.m.get('k')).toBe(1);
  });
});
