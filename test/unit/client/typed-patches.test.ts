/** Type-level tests of the client's patch and apply bodies: test/fixtures/client/typed-patches.ts must compile exactly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { compileInMemory, formatDiagnostics, repoRoot } from '../codegen/compile.js';

it('types merge patches, strategic merge patches, JSON patches and apply configurations by the kind (every @ts-expect-error used, nothing else failing)', () => {
  const fixture = readFileSync(join(repoRoot, 'test/fixtures/client/typed-patches.ts'), 'utf8');
  // Compiled in place (test/fixtures/client/), so its relative imports reach runtime/src.
  const diagnostics = compileInMemory(new Map([['typed-patches.ts', fixture]]), 'test/fixtures/client');
  expect(formatDiagnostics(diagnostics)).toBe('');
}, 60_000);
