import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ProjectDraft } from '../../../generators/shared/project-files.js';
import { readTree, tempDir } from './support.js';

const tmp = tempDir('opkit-draft-');
afterAll(() => tmp.remove());

describe('ProjectDraft', () => {
  test('reads see the draft over the disk, and the disk is untouched until commit', () => {
    const root = join(tmp.dir, 'reads');
    mkdirSync(root);
    writeFileSync(join(root, 'kept.txt'), 'on disk\n');
    const draft = new ProjectDraft(root);
    expect(draft.read('kept.txt')).toBe('on disk\n');
    expect(draft.read('missing.txt')).toBeUndefined();
    draft.write('kept.txt', 'changed\n');
    draft.write('src/new.ts', 'export {};\n');
    expect(draft.read('kept.txt')).toBe('changed\n');
    expect(draft.read('src/new.ts')).toBe('export {};\n');
    expect(readTree(root)).toEqual({ 'kept.txt': 'on disk\n' });
  });

  test('commit writes every file in first-write order and says whether it was created, updated or identical', () => {
    const root = join(tmp.dir, 'commit');
    mkdirSync(root);
    writeFileSync(join(root, 'same.txt'), 'same\n');
    writeFileSync(join(root, 'old.txt'), 'old\n');
    const draft = new ProjectDraft(root);
    draft.write('a/b/new.txt', 'first\n');
    draft.write('same.txt', 'same\n');
    draft.write('old.txt', 'new\n');
    draft.write('a/b/new.txt', 'second\n');
    expect(draft.commit()).toEqual([
      { file: 'a/b/new.txt', status: 'create' },
      { file: 'same.txt', status: 'identical' },
      { file: 'old.txt', status: 'update' },
    ]);
    expect(readTree(root)).toEqual({ 'a/b/new.txt': 'second\n', 'old.txt': 'new\n', 'same.txt': 'same\n' });
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['new.txt']);
  });
});
