import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../runtime/src/api/resource.js';
import {
  and,
  annotationChanged,
  generationChanged,
  labelChanged,
  not,
  or,
  predicate,
  resourceVersionChanged,
} from '../../../runtime/src/predicates/predicates.js';

const obj = (meta: NonNullable<KubeObject['metadata']>): KubeObject => ({ metadata: { name: 'x', ...meta } });

describe('predicates', () => {
  it('generationChanged passes creates, deletes and updates that change metadata.generation only', () => {
    const p = generationChanged();
    expect(p.create(obj({}))).toBe(true);
    expect(p.delete(obj({}))).toBe(true);
    expect(p.update(obj({ generation: 1 }), obj({ generation: 1 }))).toBe(false);
    expect(p.update(obj({ generation: 1 }), obj({ generation: 2 }))).toBe(true);
  });

  it('labelChanged and annotationChanged compare the maps, treating a missing map as empty', () => {
    expect(labelChanged().update(obj({}), obj({ labels: {} }))).toBe(false);
    expect(labelChanged().update(obj({ labels: { a: '1' } }), obj({ labels: { a: '1' } }))).toBe(false);
    expect(labelChanged().update(obj({ labels: { a: '1' } }), obj({ labels: { a: '2' } }))).toBe(true);
    expect(labelChanged().update(obj({ labels: { a: '1' } }), obj({ labels: { b: '1' } }))).toBe(true);
    expect(annotationChanged().update(obj({ annotations: { a: '1' } }), obj({}))).toBe(true);
    expect(annotationChanged().update(obj({ annotations: { a: '1' }, labels: { z: '1' } }), obj({ annotations: { a: '1' } }))).toBe(false);
  });

  it('resourceVersionChanged filters updates that carry the same resourceVersion', () => {
    expect(resourceVersionChanged().update(obj({ resourceVersion: '5' }), obj({ resourceVersion: '5' }))).toBe(false);
    expect(resourceVersionChanged().update(obj({ resourceVersion: '5' }), obj({ resourceVersion: '6' }))).toBe(true);
  });

  it('predicate() lets through events it has no function for', () => {
    const p = predicate({ create: () => false });
    expect(p.create(obj({}))).toBe(false);
    expect(p.update(obj({}), obj({}))).toBe(true);
    expect(p.delete(obj({}))).toBe(true);
  });

  it('and, or and not compose per event type', () => {
    const gen = generationChanged();
    const lab = labelChanged();
    const a = obj({ generation: 1, labels: { x: '1' } });
    const genOnly = obj({ generation: 2, labels: { x: '1' } });
    const labOnly = obj({ generation: 1, labels: { x: '2' } });
    expect(and(gen, lab).update(a, genOnly)).toBe(false);
    expect(or(gen, lab).update(a, genOnly)).toBe(true);
    expect(or(gen, lab).update(a, labOnly)).toBe(true);
    expect(or(gen, lab).update(a, a)).toBe(false);
    expect(not(gen).update(a, a)).toBe(true);
    expect(not(gen).create(a)).toBe(false);
    expect(and().create(a)).toBe(true);
    expect(or().create(a)).toBe(false);
    expect(and(not(predicate({ delete: () => false })), gen).delete(a)).toBe(true);
  });
});
