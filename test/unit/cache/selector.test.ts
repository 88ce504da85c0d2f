import { describe, expect, it } from 'vitest';
import { InvalidSelectorError } from '../../../runtime/src/cache/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../../../runtime/src/cache/selector.js';

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'shop', gen: '3' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web , tier=front', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web, db)', true],
    ['app in (db)', false],
    ['app notin (db,cache)', true],
    ['missing notin (x)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app.kubernetes.io/name=shop', true],
    ['gen>2', true],
    ['gen<3', false],
    ['app=web,missing', false],
  ];
  it.each(cases)('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('treats a map as equality requirements and undefined labels as none', () => {
    expect(parseLabelSelector({ app: 'web', tier: 'front' }).matches(labels)).toBe(true);
    expect(parseLabelSelector({ app: 'web', tier: 'back' }).matches(labels)).toBe(false);
    expect(parseLabelSelector('a!=b').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
    expect(parseLabelSelector('app=').matches({ app: '' })).toBe(true);
  });

  it.each(['app in web', 'app in (web', 'app ~ web', 'app=web,', '=web', 'gen>x'])('rejects "%s" with an InvalidSelectorError naming it', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(InvalidSelectorError);
    expect(() => parseLabelSelector(selector)).toThrow(selector);
  });
});

describe('parseFieldSelector', () => {
  it('parses =, == and != with escapes, and maps', () => {
    expect(parseFieldSelector('spec.nodeName=n1,metadata.name!=x, status.phase==Running')).toEqual([
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'metadata.name', op: '!=', value: 'x' },
      { field: 'status.phase', op: '=', value: 'Running' },
    ]);
    expect(parseFieldSelector('a=x\\,y')).toEqual([{ field: 'a', op: '=', value: 'x,y' }]);
    expect(parseFieldSelector({ 'spec.x': 'y' })).toEqual([{ field: 'spec.x', op: '=', value: 'y' }]);
    expect(parseFieldSelector(undefined)).toEqual([]);
    expect(() => parseFieldSelector('nonsense')).toThrow(InvalidSelectorError);
  });
});
