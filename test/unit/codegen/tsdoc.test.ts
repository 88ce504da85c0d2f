import { describe, expect, it } from 'vitest';
import { isPlainDescription, parseDocComment, renderDocComment, type DocComment } from '../../../codegen/shared/tsdoc.js';

const descriptions = [
  'plain',
  'two\nlines',
  '\nstarts with a blank line',
  'ends with a blank line\n',
  'blank lines\n\n\nin the middle',
  '@looks like a tag',
  '  @indented tag look-alike',
  '\\starts with a backslash',
  '\\@both',
  'closes */ the comment',
  'escaped-looking *\\/ and *\\\\/ sequences',
  '**/ stars',
  ' leading space',
  'trailing space ',
  '  indented\n    more',
  '* a markdown bullet\n* another',
  'ends with a star *',
  'tab\tinside',
  'unicode ✓ — ok',
];

describe('TSDoc comments that carry descriptions and markers', () => {
  it.each(descriptions)('reads back description %j exactly, with and without tags', (description) => {
    for (const tags of [[], [{ name: 'minimum', value: '1' }, { name: 'storageVersion', value: '' }]]) {
      const doc: DocComment = { description, tags };
      const text = renderDocComment(doc, '  ');
      expect(text.slice(0, -1)).not.toMatch(/\*\/[\s\S]/); // the only */ is the closing one
      expect(parseDocComment(text.trim())).toEqual(doc);
    }
  });

  it('reads back tag values that contain */', () => {
    const doc: DocComment = { description: undefined, tags: [{ name: 'validation', value: '{"rule":"a */ b","message":"*\\\\/"}' }] };
    expect(parseDocComment(renderDocComment(doc, '').trim())).toEqual(doc);
  });

  it('writes a short description or a single tag on one line', () => {
    expect(renderDocComment({ description: 'Short.', tags: [] }, '  ')).toBe('  /** Short. */\n');
    expect(renderDocComment({ description: undefined, tags: [{ name: 'listType', value: 'atomic' }] }, '')).toBe('/** @listType atomic */\n');
    expect(renderDocComment({ description: undefined, tags: [] }, '')).toBe('');
  });

  it('separates the description from the tags with one blank line', () => {
    expect(renderDocComment({ description: 'Text.', tags: [{ name: 'maximum', value: '3' }] }, '')).toBe('/**\n * Text.\n *\n * @maximum 3\n */\n');
  });

  it('reads hand-written layouts: text on the opening line, tags without a blank line, continued tags', () => {
    expect(parseDocComment('/** Size of the thing.\n * @minimum 1 */')).toEqual({ description: 'Size of the thing.', tags: [{ name: 'minimum', value: '1' }] });
    expect(parseDocComment('/**\n   * Desc.\n   * @remarks first\n   *   second\n   */')).toEqual({
      description: 'Desc.',
      tags: [{ name: 'remarks', value: 'first\nsecond' }],
    });
    expect(parseDocComment('/** @storageVersion */')).toEqual({ description: undefined, tags: [{ name: 'storageVersion', value: '' }] });
  });
});

describe('isPlainDescription', () => {
  it('accepts text with \\n line breaks only, rejects the empty text and every other line terminator', () => {
    expect(isPlainDescription('one line')).toBe(true);
    expect(isPlainDescription('two\nlines, unicode: é ✓')).toBe(true);
    expect(isPlainDescription('')).toBe(false);
    for (const terminator of ['\r', '\r\n', '\u2028', '\u2029']) {
      expect(isPlainDescription(`a${terminator}b`)).toBe(false);
      expect(isPlainDescription(`ends with it${terminator}`)).toBe(false);
      expect(isPlainDescription(terminator)).toBe(false);
    }
  });
});
