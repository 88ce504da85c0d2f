import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readYamlSubset } from '../../../codegen/crd-to-ts/fast-yaml.js';
import { readYamlDocuments } from '../../../codegen/crd-to-ts/read-yaml.js';
import type { CodegenError } from '../../../codegen/errors.js';
import { crdWithSchema, largeCrd } from '../../fixtures/codegen/hostile-inputs.js';
import { corpusDir } from './corpus.js';

/** What js-yaml reads (the reference), or the error it throws. */
function reference(text: string): unknown[] | Error {
  try {
    return jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, maxDepth: 200 } as jsyaml.LoadOptions);
  } catch (err) {
    return err as Error;
  }
}

/** The fast reader either declines or reads exactly what js-yaml reads; never accepts what js-yaml refuses. */
function expectEquivalent(text: string): unknown[] | undefined {
  const fast = readYamlSubset(text, 200);
  if (fast === undefined) return undefined;
  const expected = reference(text);
  expect(expected, `js-yaml refuses ${JSON.stringify(text)} but the fast reader read it`).not.toBeInstanceOf(Error);
  expect(fast, JSON.stringify(text)).toStrictEqual(expected);
  return fast;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : path.endsWith('.yaml') ? [path] : [];
  });
}

describe('the fast YAML reader', () => {
  it('reads every CRD of the corpus itself, exactly as js-yaml does', () => {
    const files = yamlFiles(corpusDir);
    expect(files.length).toBeGreaterThanOrEqual(26);
    files.forEach((file, i) => {
      const text = readFileSync(file, 'utf8');
      expect(expectEquivalent(text), `${file} was left to js-yaml`).toBeDefined();
      // the same with CRLF line ends (every fourth file: js-yaml takes a while)
      if (i % 4 === 0) expect(expectEquivalent(text.replaceAll('\n', '\r\n')), `${file} (CRLF) was left to js-yaml`).toBeDefined();
    });
    expect(expectEquivalent(largeCrd(300 * 1024))).toBeDefined();
  }, 60_000);

  it('reads quoting, block scalars, comments, flow collections and several documents as js-yaml does', () => {
    const accepted = [
      'a: 1\nb: -2\nc: 1.5\nd: 1e3\ne: .5\nf: +7\ng: -0\nh: 0.\ni: 012\nj: 123456789012345678\nk: -.5\nl: 1_000\n',
      'a: true\nb: False\nc: TRUE\nd: yes\ne: ~\nf: null\ng: Null\nh: nULL\ni:\nj: no\n',
      "a: 'it''s'\nb: \"tab\\there \\\"q\\\" \\u00e9 \\x41 \\\\ \\/\"\nc: '#not a comment'\nd: \"\"\ne: ''\n",
      "\"quoted key\": 1\n'single': 2\n\"1\": 3\n",
      'a: x #comment\nb: x#y\nc: http://host:80/path\nd: a:b\ne: [a, b, ]\nf: {x: 1, y: [2, 3], }\ng: {}\nh: []\ni: {"k":1, \'l\': "m"}\n',
      '# head\n\na:   # after the key\n  # between\n  b: 1 # after\n\n# tail\n',
      'a: |\n  line 1\n\n  line 3\n    indented\nb: |-\n  stripped\n\n\nc: |+\n  kept\n\n\nd: |\ne: |-  # comment\n  x\n',
      'list:\n- a\n- b: 1\n  c: 2\n-\n  - nested\n- - compact\n  - more\nafter: x\n',
      'a:\n  - name: v1\n    x: 1\n  - name: v2\n',
      'description: This is a long plain scalar that goes on\n  over several lines,\n\n  with an empty line - and a dash.\nnext: 1\n',
      '- item that goes\n  on\n- x: folded key value\n    continues here\n',
      'a: "double quoted that goes\n  on \\\n  joined\n\n  and a break"\nb: \'single\n   folded \'\'here\'\'\'\n',
      'a: "escaped blank\\ \n  next"\n',
      '1.0: float key\ntrue: bool key\n~: null key\n',
      '---\na: 1\n---\nb: 2\n',
      'a: 1\n---\n',
      '---\n---\n',
      '# c\n---\na: 1\n',
      '--- # comment\na: 1\n',
      'a:\tb\nc: d\t# tab before a comment\n',
      'a: "\\t"\n',
      '  indented: root\n  b: 1\n',
      '{"apiVersion": "v1", "kind": "List", "items": []}',
      '[1, [2, [3]]]\n',
      'key with spaces: value with spaces  \n',
      'a: -\u00e9\nb: ünïcödé 🎉\n',
      'a: [-1, -x, ?y, :z, a-b]\nb: {k: -v, l: .5}\n',
      // keys read in one call, and keys that need the careful path (blanks, `#`, indicators, special values)
      // values read in one call, and values that need the careful path (trailing blanks, comments, `:`, the end of the text)
      'a: plain value 1\nb: trailing  \nc: x # c\nd: goes\n  on\n\n  and on\ne: http://x:80/y\nf: [one two , x y,z]\ng: {k k: v v , l: w,m: -1}\nh: 7\ni: last',
      'a-b.c/d_e$: 1\nTrue: x\n~: z\n1e3: n\n012: o\n-x: 1\na#b: 3\nkey  : 4\nx:y:\n  z: 5\n',
    ];
    for (const text of accepted) {
      expect(expectEquivalent(text), `declined ${JSON.stringify(text)}`).toBeDefined();
      expect(expectEquivalent(text.replaceAll('\n', '\r\n')), `declined with CRLF ${JSON.stringify(text)}`).toBeDefined();
    }
  });

  it('reads literal blocks the way js-yaml does, whether they take the one-slice path or the line-by-line one', () => {
    const accepted = [
      // one slice: LF ends, content first, blank lines empty or at the content's indentation
      'a: |-\n  one\n  two\n\n  four\n    deeper\n  \n  six\nb: 1\n',
      'a:\n  b: |\n    x\n    y\n\n\n  c: |+\n    kept\n\n\nd: |-\n  first\n  \tTab after the indentation\n  at the end',
      '- |\n  item\n  text\n- |-\n    deeper item\n',
      // line by line: a leading blank line, blank lines with fewer spaces than the content, CRLF
      'a: |\n\n  after a blank line\nb: 1\n',
      'a: |-\n    x\n  \n    y\n \nb: 1\n',
      'a: |+\n  x\n \n',
      'a: |-\r\n  x\r\n\r\n  y\r\n',
    ];
    for (const text of accepted) expect(expectEquivalent(text), `declined ${JSON.stringify(text)}`).toBeDefined();
    // blanks beyond the indentation, a tab in the indentation: declined on both paths
    for (const text of ['a: |\n  x\n     \n  y\n', 'a: |\n  x\n \ty\n', 'a: |\n\tx\n']) expect(readYamlSubset(text, 200), JSON.stringify(text)).toBeUndefined();
  });

  it('declines what it does not read (anchors, tags, folded scalars, tabs, directives, duplicates), leaving it to js-yaml', () => {
    const declined = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: >\n  folded\n',
      'a: |2\n  explicit indent\n',
      'a:\n\tb: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      '? complex\n: key\n',
      'a: 0x1F\n',
      'a: .inf\n',
      'a: .NaN\n',
      'a: 1\n...\n',
      'a: [1,\n  2]\n',
      'a: b: c\n',
      'a: 1\n  b: 2\n',
      '',
      '# only a comment\n',
      'scalar document\n',
      'a: "\\q"\n',
      'a: [-, 1]\n',
      'a: [x, ?]\n',
      'a: {k: -}\n',
      'a: [&x 1]\n',
      'a: {k: `v`}\n',
      'a: "\\ud800"\n',
      `a: ${'9'.repeat(400)}\n`,
      '\ufeffa: 1\n',
      'a: 1\rb: 2\n',
      'a: \u0007\n',
      `${'k: '.repeat(1)}${'x'.repeat(10)}\n${'y'.repeat(1100)}: 1\n`,
    ];
    for (const text of declined) expect(readYamlSubset(text, 200), JSON.stringify(text)).toBeUndefined();
  });

  it('never reads what js-yaml refuses, and otherwise agrees with it, on generated inputs', () => {
    // deterministic pseudo-random documents from fragments CRD files (and mistakes in them) are made of
    const fragments = ['a:', 'b: 1', '- x', '-', '  ', 'c: "q"', "d: 'it''s'", 'e: |-', 'f: [1, 2]', 'g: {h: i}', '# c', '---', 'k: x #c', 'l: -1.5e3', 'm: ~', ' x', '"n": y', 'o: a:b', '\t', 'p: "a', 'q\'', ': z', 'r: true', 's: {', ']', 'u: ', 'v: >-', 'w: !t', 'y: &a', '*a'];
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let accepted = 0;
    for (let round = 0; round < 3000; round += 1) {
      const lines: string[] = [];
      for (let k = next(8) + 1; k > 0; k -= 1) lines.push(`${' '.repeat(next(3) * 2)}${fragments[next(fragments.length)] as string}`);
      if (expectEquivalent(`${lines.join('\n')}\n`) !== undefined) accepted += 1;
    }
    expect(accepted).toBeGreaterThan(300);
  }, 30_000);

  it('leaves the limits to js-yaml: too deep input is still an InputTooDeep error naming the file', () => {
    const nested = (levels: number): string => `${'a:\n'.repeat(1)}${Array.from({ length: levels }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')}\n`;
    expect(readYamlSubset(nested(30), 200)).toBeDefined();
    expect(readYamlSubset(nested(30), 20)).toBeUndefined();
    let err: CodegenError | undefined;
    try {
      readYamlDocuments(nested(30), 'deep.yaml', { maxDepth: 20 });
    } catch (caught) {
      err = caught as CodegenError;
    }
    expect(err?.reason).toBe('InputTooDeep');
    expect(err?.message).toMatch(/^deep\.yaml:\d+:\d+: nesting deeper than 20 levels/);
  });

  it('leaves malformed input to js-yaml, whose errors name the file and line', () => {
    const cases: Array<[string, RegExp]> = [
      [crdWithSchema('        type: object\n        type: object\n'), /^bad\.yaml:\d+:\d+: malformed YAML: duplicated mapping key/],
      ['a: 1\n b: 2\n', /^bad\.yaml:2:\d+: malformed YAML: /],
      ['a:\n\tb: 1\n', /^bad\.yaml:2:\d+: malformed YAML: /],
      ['a: "open\n', /^bad\.yaml:\d+:\d+: malformed YAML: /],
    ];
    for (const [text, message] of cases) {
      let err: CodegenError | undefined;
      try {
        readYamlDocuments(text, 'bad.yaml');
      } catch (caught) {
        err = caught as CodegenError;
      }
      expect(err?.reason, text).toBe('MalformedYaml');
      expect(err?.message).toMatch(message);
    }
  });

  it('gives readYamlDocuments the lines where documents start, from either reader', () => {
    const text = '# c\n---\na: 1\n---\n\nb: 2\n';
    expect(readYamlSubset(text, 200)).toBeDefined();
    expect(readYamlDocuments(text, 'two.yaml').map((d) => [d.index, d.line, d.value])).toEqual([[0, 3, { a: 1 }], [1, 6, { b: 2 }]]);
    const aliased = '# c\n---\na: 1\n---\n\nb: &x 2\nc: *x\n';
    expect(readYamlSubset(aliased, 200)).toBeUndefined();
    expect(readYamlDocuments(aliased, 'two.yaml').map((d) => [d.index, d.line, d.value])).toEqual([[0, 3, { a: 1 }], [1, 6, { b: 2, c: 2 }]]);
  });
});
