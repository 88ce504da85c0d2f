import { describe, expect, test } from 'vitest';
import { applyJsonPatch, createJsonPatch } from '../../../runtime/src/webhook/admission/json-patch.js';

describe('createJsonPatch', () => {
  test('names only what changed: an added, a replaced and a removed member, nothing for equal ones', () => {
    const before = { spec: { size: 1, color: 'red', unknownField: { deep: [1, 2] } }, metadata: { name: 'w', labels: { a: '1' } } };
    const after = { spec: { size: 3, unknownField: { deep: [1, 2] }, replicas: 2 }, metadata: { name: 'w', labels: { a: '1', b: '2' } } };
    expect(createJsonPatch(before, after)).toEqual([
      { op: 'remove', path: '/spec/color' },
      { op: 'replace', path: '/spec/size', value: 3 },
      { op: 'add', path: '/spec/replicas', value: 2 },
      { op: 'add', path: '/metadata/labels/b', value: '2' },
    ]);
  });

  test('escapes ~ and / in member names (RFC 6901) and ignores key order and undefined members', () => {
    const before = { metadata: { annotations: { 'example.com/a~b': 'x' } }, b: 1, a: 2 };
    const after = { a: 2, b: 1, gone: undefined, metadata: { annotations: { 'example.com/a~b': 'y' } } };
    expect(createJsonPatch(before, after)).toEqual([{ op: 'replace', path: '/metadata/annotations/example.com~1a~0b', value: 'y' }]);
  });

  test('patches arrays element by element when some elements stay, and replaces them when none does', () => {
    expect(createJsonPatch({ l: [{ n: 'a', x: 1 }, { n: 'b' }] }, { l: [{ n: 'a', x: 1 }, { n: 'b', port: 80 }, { n: 'c' }] })).toEqual([
      { op: 'add', path: '/l/1/port', value: 80 },
      { op: 'add', path: '/l/2', value: { n: 'c' } },
    ]);
    expect(createJsonPatch({ l: [1, 2, 3] }, { l: [1] })).toEqual([
      { op: 'remove', path: '/l/2' },
      { op: 'remove', path: '/l/1' },
    ]);
    expect(createJsonPatch({ l: [1, 2] }, { l: [3, 4] })).toEqual([{ op: 'replace', path: '/l', value: [3, 4] }]);
  });

  test('applying the patch to the original always gives the changed document (seeded random documents)', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const k = rand(depth > 2 ? 3 : 6);
      if (k === 0) return rand(5);
      if (k === 1) return ['x', 'y/z', 'a~b'][rand(3)];
      if (k === 2) return rand(2) === 0 ? null : true;
      if (k === 3) return Array.from({ length: rand(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(4) }, () => [['a', 'b', 'c/d', 'e~f'][rand(4)] as string, value(depth + 1)]));
    };
    const mutate = (v: unknown): unknown => {
      if (Array.isArray(v)) return rand(3) === 0 ? [...v, value(3)] : v.map((e) => (rand(2) ? mutate(e) : e));
      if (typeof v === 'object' && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [key, e] of Object.entries(v)) if (rand(5) !== 0) out[key] = rand(2) ? mutate(e) : e;
        if (rand(3) === 0) out[`n${rand(9)}`] = value(3);
        return out;
      }
      return rand(3) === 0 ? value(3) : v;
    };
    for (let i = 0; i < 500; i++) {
      const before = { spec: value(0) };
      const after = mutate(before);
      expect(applyJsonPatch(before, createJsonPatch(before, after))).toEqual(JSON.parse(JSON.stringify(after)));
    }
  });
});
