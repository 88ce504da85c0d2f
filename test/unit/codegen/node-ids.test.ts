import { describe, expect, it } from 'vitest';
import { NodeIds } from '../../../codegen/crd-to-ts/node-ids.js';
import type { JsonObject, JsonValue } from '../../../codegen/shared/json.js';

function same(a: JsonObject | JsonValue[], b: JsonObject | JsonValue[]): boolean {
  const ids = new NodeIds();
  return ids.id(a) === ids.id(b);
}

describe('NodeIds', () => {
  it('gives equal content the same number whatever the key order, at every level', () => {
    expect(same({ a: 1, b: { c: 'x', d: [1, 2] } }, { b: { d: [1, 2], c: 'x' }, a: 1 })).toBe(true);
    expect(same({ type: 'string', description: 'd', maxLength: 3 }, { maxLength: 3, type: 'string', description: 'd' })).toBe(true);
    // index-like keys, which JavaScript enumerates first
    expect(same({ b: 1, 10: 2, 9: 3 }, { 9: 3, b: 1, 10: 2 })).toBe(true);
  });

  it('tells apart what JSON tells apart', () => {
    expect(same({ a: '1' }, { a: 1 })).toBe(false);
    expect(same({ a: 'true' }, { a: true })).toBe(false);
    expect(same({ a: 'null' }, { a: null })).toBe(false);
    expect(same({ a: true }, { a: false })).toBe(false);
    expect(same({ a: 1 }, { a: 1.5 })).toBe(false);
    expect(same({}, [])).toBe(false);
    expect(same({ 0: 'x' }, ['x'])).toBe(false);
    expect(same([1, 2], [2, 1])).toBe(false);
    expect(same([[1], 2], [[1, 2]])).toBe(false);
    expect(same({ a: { b: 1 } }, { a: { b: 2 } })).toBe(false);
    expect(same({ a: 1 }, { a: 1, b: 1 })).toBe(false);
    expect(same({ a: { b: 1 }, c: 2 }, { a: { b: 1, c: 2 } })).toBe(false);
    // a key equal to a value elsewhere, and strings that look like the numbering's own text
    expect(same({ s0: 's1' }, { s1: 's0' })).toBe(false);
    expect(same({ a: '#0' }, { a: {} })).toBe(false);
  });

  it('numbers as JSON does: equal numbers are equal, 0 and -0 too', () => {
    expect(same({ a: 1 }, { a: 1.0 })).toBe(true);
    expect(same({ a: 0 }, { a: -0 })).toBe(true);
    expect(same([1e21], [1e21])).toBe(true);
  });

  it('numbers equal subtrees equally wherever they are, and different ones differently', () => {
    const ids = new NodeIds();
    const shared = { type: 'object', properties: { name: { type: 'string' } } };
    const first = ids.id({ spec: { properties: { a: structuredClone(shared) } } });
    const inner = ids.id(structuredClone(shared));
    const again = ids.id({ properties: { name: { type: 'string' } }, type: 'object' });
    expect(again).toBe(inner);
    expect(ids.id({ type: 'object', properties: { name: { type: 'integer' } } })).not.toBe(inner);
    expect(ids.id({ spec: { properties: { a: shared } } })).toBe(first);
  });
});
