/**
 * docs/tutorial.md cannot rot: every code block of a file in it is a region (or the whole) of a
 * real file under test/fixtures/tutorial/, which test/e2e/tutorial.test.ts writes into a scaffolded
 * project, builds and tests. Here: the blocks and the files say the same, and no file or region is
 * left out.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtureFiles, readRegion, regionsOf } from '../../support/tutorial.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const markdown = readFileSync(join(ROOT, 'docs', 'tutorial.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly body: string;
  /** `path#region` from the `<!-- file: … -->` comment on the line before the block. */
  readonly source: string | undefined;
  readonly line: number;
}

function blocks(text: string): Block[] {
  const lines = text.split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`docs/tutorial.md:${i + 1}: a code block is not closed`);
    const marker = /^<!-- file: (\S+) -->$/.exec(lines[i - 1] ?? '');
    found.push({ lang: open[1] ?? '', body: lines.slice(i + 1, end).join('\n'), source: marker?.[1], line: i + 1 });
    i = end;
  }
  return found;
}

const all = blocks(markdown);
const sourced = all.filter((b) => b.source !== undefined);

describe('docs/tutorial.md', () => {
  test('every block of code (not a shell command) names the fixture file it comes from', () => {
    expect(all.length).toBeGreaterThan(10);
    const unsourced = all.filter((b) => b.source === undefined && b.lang !== 'sh').map((b) => `line ${b.line} (${b.lang || 'no language'})`);
    expect(unsourced).toEqual([]);
  });

  test.each(sourced.map((b) => [b.source ?? '', b] as const))('the block of %s is that file (region) as it is', (source, block) => {
    const [path = '', region] = source.split('#');
    expect(path.startsWith('test/fixtures/tutorial/'), `${source} is under test/fixtures/tutorial/`).toBe(true);
    const file = join(ROOT, path);
    expect(statSync(file).isFile()).toBe(true);
    expect(block.body).toBe(readRegion(file, region));
  });

  test('every fixture file, and every region in it, is shown', () => {
    const shown = new Set(sourced.map((b) => b.source));
    const missing: string[] = [];
    for (const file of fixtureFiles()) {
      const path = relative(ROOT, file).split('\\').join('/');
      const regions = regionsOf(readFileSync(file, 'utf8'));
      if (regions.length === 0 && !shown.has(path)) missing.push(path);
      for (const region of regions) if (!shown.has(`${path}#${region}`)) missing.push(`${path}#${region}`);
    }
    expect(missing).toEqual([]);
  });
});
