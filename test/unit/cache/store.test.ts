import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import { createStore, objectKey } from '../../../runtime/src/cache/store.js';

const obj = (name: string, rv: string, extra: { namespace?: string | null; node?: string } = {}): KubeObject & { spec?: { node?: string } } => ({
  metadata: { name, resourceVersion: rv, ...(extra.namespace === null ? {} : { namespace: extra.namespace ?? 'ns1' }) },
  ...(extra.node ? { spec: { node: extra.node } } : {}),
});

describe('Store', () => {
  it('keys objects by namespace/name, or name when cluster-scoped', () => {
    const { store, writer } = createStore();
    writer.apply(obj('a', '1'));
    writer.apply(obj('n', '1', { namespace: null }));
    expect(store.keys().sort()).toEqual(['n', 'ns1/a']);
    expect(store.get('ns1/a')?.metadata?.name).toBe('a');
    expect(store.size).toBe(2);
    expect(objectKey(obj('x', '1', { namespace: 'q' }))).toBe('q/x');
  });

  it('keeps the built-in namespace index and user indexes in step with updates and deletes', () => {
    const { store, writer } = createStore<ReturnType<typeof obj>>({ indexers: { node: (o) => (o.spec?.node ? [o.spec.node] : []) } });
    writer.apply(obj('a', '1', { node: 'n1' }));
    writer.apply(obj('b', '1', { node: 'n1', namespace: 'ns2' }));
    expect(store.byIndex('namespace', 'ns1').map((o) => o.metadata?.name)).toEqual(['a']);
    expect(store.byIndex('node', 'n1').map((o) => o.metadata?.name).sort()).toEqual(['a', 'b']);
    writer.apply(obj('a', '2', { node: 'n2' }));
    expect(store.byIndex('node', 'n1').map((o) => o.metadata?.name)).toEqual(['b']);
    expect(store.byIndex('node', 'n2').map((o) => o.metadata?.name)).toEqual(['a']);
    writer.delete('ns2/b');
    expect(store.byIndex('node', 'n1')).toEqual([]);
    expect(store.byIndex('namespace', 'ns2')).toEqual([]);
    expect(() => store.byIndex('nope', 'x')).toThrow(/no index "nope"/);
  });

  it('replaces everything in one step and reports deletes, adds and resourceVersion changes only', () => {
    const { store, writer } = createStore();
    const keep = obj('keep', '1');
    writer.apply(keep);
    writer.apply(obj('change', '1'));
    writer.apply(obj('gone', '1'));
    const generation = store.generation;
    const changes = writer.replace([obj('keep', '1'), obj('change', '2'), obj('new', '3')]);
    expect(store.generation).toBe(generation + 1);
    expect(changes.map((c) => [c.type, c.object.metadata?.name])).toEqual([
      ['delete', 'gone'],
      ['update', 'change'],
      ['add', 'new'],
    ]);
    expect(store.get('ns1/keep')).toBe(keep);
    expect(store.keys().sort()).toEqual(['ns1/change', 'ns1/keep', 'ns1/new']);
    expect(store.byIndex('namespace', 'ns1')).toHaveLength(3);
  });

  it('hands readers a view without write methods: the writer is the only way in', () => {
    const { store, writer } = createStore();
    for (const method of ['apply', 'delete', 'replace', 'addIndex']) expect(method in store).toBe(false);
    expect(writer.store).toBe(store);
  });

  it('builds an index added later over the objects already stored', () => {
    const { store, writer } = createStore<ReturnType<typeof obj>>();
    writer.apply(obj('a', '1', { node: 'n1' }));
    writer.addIndex('node', (o) => [o.spec?.node ?? '']);
    expect(store.hasIndex('node')).toBe(true);
    expect(store.byIndex('node', 'n1')).toHaveLength(1);
  });

  it('leaves an object out of an index whose function throws, and still stores it', () => {
    const { store, writer } = createStore({
      indexers: {
        bad: () => {
          throw new Error('boom');
        },
      },
    });
    writer.apply(obj('a', '1'));
    expect(store.size).toBe(1);
    expect(store.byIndex('bad', 'x')).toEqual([]);
  });
});
