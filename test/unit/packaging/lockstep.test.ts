import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lockstepProblems, PACKAGE_DIRS, REPO_ROOT } from '../../../scripts/packages.js';

const tmp = mkdtempSync(join(tmpdir(), 'opkit-lockstep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the three manifests, with `edit` applied to one. */
function manifests(name: string, edit?: { dir: string; change: (m: Record<string, unknown>) => void }): string {
  const root = join(tmp, name);
  for (const dir of Object.values(PACKAGE_DIRS)) {
    mkdirSync(join(root, dir), { recursive: true });
    cpSync(join(REPO_ROOT, dir, 'package.json'), join(root, dir, 'package.json'));
  }
  if (edit !== undefined) {
    const file = join(root, edit.dir, 'package.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit.change(m);
    writeFileSync(file, JSON.stringify(m));
  }
  return root;
}

describe('the three packages move in lockstep', () => {
  test('the repository holds one version of opkit, @opkit/runtime and create-operator, pinned to each other', () => {
    expect(lockstepProblems(REPO_ROOT)).toEqual([]);
  });

  test('a package at another version is reported', () => {
    const root = manifests('runtime-ahead', { dir: 'runtime', change: (m) => (m['version'] = '9.0.0') });
    expect(lockstepProblems(root).join('\n')).toContain('@opkit/runtime is at 9.0.0 but opkit is at');
  });

  test('create-operator must pin exactly the same opkit (not a range)', () => {
    const root = manifests('caret-pin', { dir: 'create-operator', change: (m) => ((m['dependencies'] as Record<string, string>)['opkit'] = '^0.1.0') });
    expect(lockstepProblems(root).join('\n')).toContain('create-operator depends on opkit ^0.1.0, expected exactly');
  });
});
