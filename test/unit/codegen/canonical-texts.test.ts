import { describe, expect, it } from 'vitest';
import { CanonicalTexts } from '../../../codegen/shared/canonical-texts.js';
import { canonicalHash, canonicalJson, sha256, type JsonObject, type JsonValue } from '../../../codegen/shared/json.js';
import { seededRandom as random } from './seeded-random.js';

// keys and strings that stress the ordering and the escaping: index-like keys (which JavaScript
// enumerates first), __proto__, case, non-ASCII, quotes, controls, paired and lone surrogates
const WORDS = ['a', 'b', 'B', 'type', 'description', '10', '9', '0', '01', '__proto__', 'é', 'e', 'x-y', 'say "hi"', 'back\\slash', 'tab\there', 'line\nbreak', '\u0000', '\u2028', '😀', '\ud800', 'z\udfffz', 'a long description that is long enough to be linked in and not copied'];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 65535, Number.MAX_SAFE_INTEGER];

function value(next: () => number, depth: number): JsonValue {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const roll = next();
  if (depth > 4 || roll < 0.35) {
    const kind = Math.floor(next() * 4);
    return kind === 0 ? pick(WORDS) : kind === 1 ? pick(NUMBERS) : kind === 2 ? next() < 0.5 : null;
  }
  if (roll < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  const object: JsonObject = {};
  for (let i = Math.floor(next() * 6); i > 0; i -= 1) Object.defineProperty(object, pick(WORDS), { value: value(next, depth + 1), enumerable: true, writable: true, configurable: true });
  return object;
}

describe('CanonicalTexts', () => {
  it('writes what canonicalJson writes, for any JSON', () => {
    const next = random(14);
    for (let i = 0; i < 2000; i += 1) {
      const input = value(next, 0);
      expect(new CanonicalTexts().textOf(input)).toBe(canonicalJson(input));
    }
  });

  it('gives a part of a tree already written the text it has in that tree, and a tree made of written parts its own text', () => {
    const next = random(7);
    for (let i = 0; i < 300; i += 1) {
      // parts of 128 characters and more are kept, shorter ones written again: both kinds here
      const inner = { b: value(next, 2), a: [value(next, 2), { d: 'x'.repeat(i % 2 === 0 ? 200 : 1), c: value(next, 3) }] };
      const outer = { spec: { versions: [{ schema: inner }] }, kind: 'CustomResourceDefinition' };
      const first = new CanonicalTexts();
      expect(first.textOf(outer)).toBe(canonicalJson(outer));
      expect(first.textOf(inner)).toBe(canonicalJson(inner));
      expect(first.textOf(inner.a)).toBe(canonicalJson(inner.a));
      // inner parts first: the outer tree links them in
      const second = new CanonicalTexts();
      expect(second.textOf(inner.a)).toBe(canonicalJson(inner.a));
      expect(second.textOf(inner)).toBe(canonicalJson(inner));
      expect(second.textOf(outer)).toBe(canonicalJson(outer));
    }
  });

  it('writes an object met twice in one tree (a YAML alias) twice', () => {
    const shared = { y: 1, x: [true, null] };
    const tree = { b: shared, a: [shared, { shared }] };
    const texts = new CanonicalTexts();
    expect(texts.textOf(tree)).toBe('{"a":[{"x":[true,null],"y":1},{"shared":{"x":[true,null],"y":1}}],"b":{"x":[true,null],"y":1}}');
    expect(texts.textOf(shared)).toBe('{"x":[true,null],"y":1}');
  });

  it('leaves out keys holding undefined and writes undefined items as null, as JSON.stringify does', () => {
    const input = { b: undefined, a: [undefined, 1] } as unknown as JsonValue;
    expect(new CanonicalTexts().textOf(input)).toBe('{"a":[null,1]}');
    expect(new CanonicalTexts().textOf(input)).toBe(JSON.stringify({ a: [undefined, 1] }));
  });

  it('sorts long key lists, in order or not', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `field${i}`);
    const inOrder = Object.fromEntries([...keys].sort().map((k) => [k, 1]));
    const reversed = Object.fromEntries([...keys].reverse().map((k) => [k, 1]));
    expect(new CanonicalTexts().textOf(reversed)).toBe(canonicalJson(inOrder));
    expect(new CanonicalTexts().textOf(inOrder)).toBe(JSON.stringify(inOrder));
  });

  it('is the text behind canonicalHash', () => {
    const input = { b: [{ d: 'x', c: null }], a: { '10': 1, '9': 2 } };
    expect(canonicalHash(input)).toBe(sha256(canonicalJson(input)));
  });
});
