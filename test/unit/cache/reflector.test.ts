import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import { reflector, type ReflectorEvent } from '../../../runtime/src/cache/reflector.js';
import { createStore } from '../../../runtime/src/cache/store.js';
import { WatchError } from '../../../runtime/src/watch/errors.js';
import type { WatcherEvent } from '../../../runtime/src/watch/watcher.js';
import { cm } from './fake-api.js';

type Obj = KubeObject & { data?: Record<string, string> };
const at = (name: string, rv: string, data?: Record<string, string>): Obj => {
  const o = cm(name, data ? { data } : {});
  return { ...o, metadata: { ...o.metadata, resourceVersion: rv } };
};

async function drain(events: AsyncIterable<ReflectorEvent<Obj>>): Promise<ReflectorEvent<Obj>[]> {
  const out: ReflectorEvent<Obj>[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const summary = (events: ReflectorEvent<Obj>[]) =>
  events.flatMap((e) => (e.type === 'changes' ? e.changes.map((c) => `${c.type}:${c.object.metadata?.name}`) : [e.type]));

describe('reflector', () => {
  it('applies a relist in one step: the store keeps its old content until initDone', async () => {
    const { store, writer } = createStore<Obj>();
    writer.apply(at('old', '1'));
    const seen: number[] = [];
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '2')] };
      seen.push(store.size, Number(store.get('default/old') !== undefined));
      yield { type: 'initPage', objects: [at('b', '3')] };
      seen.push(store.size);
      yield { type: 'initDone', resourceVersion: '3' };
      seen.push(store.size);
    }
    const out = await drain(reflector(writer, events()));
    expect(seen).toEqual([1, 1, 1, 2]);
    expect(summary(out)).toEqual(['delete:old', 'add:a', 'add:b']);
    expect(out[0]).toMatchObject({ type: 'changes', relist: true, resourceVersion: '3', generation: store.generation });
  });

  it('emits deletes for vanished keys and updates only for changed resourceVersions on a relist', async () => {
    const { store, writer } = createStore<Obj>();
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '1'), at('b', '1'), at('c', '1')] };
      yield { type: 'initDone', resourceVersion: '1' };
      yield { type: 'error', error: new WatchError({ reason: 'ResourceExpired', resource: { group: '', version: 'v1', kind: 'ConfigMap' }, message: 'x' }), retryInMs: 0, next: 'list' };
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '1'), at('b', '5'), at('d', '6')] };
      yield { type: 'initDone', resourceVersion: '6' };
    }
    const out = await drain(reflector(writer, events()));
    expect(summary(out)).toEqual(['add:a', 'add:b', 'add:c', 'error', 'delete:c', 'update:b', 'add:d']);
    expect(store.keys().sort()).toEqual(['default/a', 'default/b', 'default/d']);
  });

  it('turns watch events into add, update (with the old object) and delete, and skips no-op events', async () => {
    const { writer } = createStore<Obj>();
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initDone', resourceVersion: '1' };
      yield { type: 'apply', object: at('a', '2') };
      yield { type: 'apply', object: at('a', '2') };
      yield { type: 'apply', object: at('a', '3', { k: 'v' }) };
      yield { type: 'delete', object: at('zzz', '4') };
      yield { type: 'bookmark', resourceVersion: '9' };
      yield { type: 'delete', object: at('a', '10') };
    }
    const out = await drain(reflector(writer, events()));
    expect(summary(out)).toEqual(['add:a', 'update:a', 'bookmark', 'delete:a']);
    const update = out.find((e) => e.type === 'changes' && e.changes[0]?.type === 'update');
    expect(update?.type === 'changes' && update.changes[0]?.type === 'update' && update.changes[0].oldObject.metadata?.resourceVersion).toBe('2');
    expect(out.find((e) => e.type === 'bookmark')).toEqual({ type: 'bookmark', resourceVersion: '9' });
  });

  it('drops managedFields by default and deep-freezes stored objects so readers cannot mutate them', async () => {
    const { store, writer } = createStore<Obj>();
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '1', { k: 'v' })] };
      yield { type: 'initDone', resourceVersion: '1' };
    }
    await drain(reflector(writer, events()));
    const a = store.get('default/a') as Obj;
    expect(a.metadata?.managedFields).toBeUndefined();
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a.data as Record<string, string>).k = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (a.metadata as { name?: string }).name = 'x';
    }).toThrow(TypeError);
  });

  it('applies a user transform instead, and can leave objects unfrozen', async () => {
    const { store, writer } = createStore<Obj>();
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '1', { big: 'x'.repeat(100), small: 'y' })] };
      yield { type: 'initDone', resourceVersion: '1' };
    }
    const transform = (o: Obj): Obj => ({ ...o, data: { small: o.data?.small ?? '' } });
    await drain(reflector(writer, events(), { transform, freeze: false }));
    const a = store.get('default/a') as Obj;
    expect(a.data).toEqual({ small: 'y' });
    expect(a.metadata?.managedFields).toHaveLength(1);
    expect(Object.isFrozen(a)).toBe(false);
  });

  it('keeps an object untransformed and reports the error when the transform throws', async () => {
    const { store, writer } = createStore<Obj>();
    async function* events(): AsyncGenerator<WatcherEvent<Obj>> {
      yield { type: 'init' };
      yield { type: 'initPage', objects: [at('a', '1')] };
      yield { type: 'initDone', resourceVersion: '1' };
    }
    const failures: unknown[] = [];
    const transform = (): Obj => {
      throw new Error('transform bug');
    };
    await drain(reflector(writer, events(), { transform, onTransformError: (e) => failures.push(e) }));
    expect(store.get('default/a')?.metadata?.name).toBe('a');
    expect(failures).toEqual([expect.objectContaining({ message: 'transform bug' })]);
  });
});
