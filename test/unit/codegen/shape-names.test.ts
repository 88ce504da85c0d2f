import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateTypeFiles } from '../../../codegen/crd-to-ts/generate-types.js';
import { parseCrdYaml } from '../../../codegen/crd-to-ts/load.js';
import { jsonEqual, type JsonObject } from '../../../codegen/shared/json.js';
import { normalizeForComparison } from '../../../codegen/shared/normalize.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';
import { repoRoot } from './compile.js';

const fixture = join(repoRoot, 'test/fixtures/codegen/shared-shapes.yaml');

function generate(text: string): string {
  const files = generateTypeFiles(parseCrdYaml(text, 'shared-shapes.yaml').crds.map((c) => c.crd));
  return files.get('argoproj.example.com/v1alpha1/index.ts') ?? '';
}

function declarations(file: string): string[] {
  return [...file.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1] ?? '');
}

describe('names of shared shapes', () => {
  it('names a shape used on several paths after the shortest path, not the first use', async () => {
    const file = generate(await readFile(fixture, 'utf8'));
    expect(file).toContain('  source?: ApplicationSpecSource;');
    expect(file.match(/source\?: ApplicationSpecSource;/g)).toHaveLength(3);
    expect(file.match(/^export interface ApplicationSpecSource \{/gm)).toHaveLength(1);
    expect(file).toContain('  helm?: ApplicationSpecSourceHelm;');
    expect(file).not.toContain('ApplicationOperationSyncSource');
    expect(file).not.toContain('ApplicationStatusSyncComparedToSource');
  });

  it('keeps every name when a new use of the shape appears elsewhere, earlier in schema order', async () => {
    const text = await readFile(fixture, 'utf8');
    const before = generate(text);
    const crd = parse(text) as JsonObject;
    const schema = ((crd['spec'] as JsonObject)['versions'] as JsonObject[])[0]?.['schema'] as JsonObject;
    const root = schema['openAPIV3Schema'] as JsonObject;
    const properties = root['properties'] as JsonObject;
    const source = ((((properties['spec'] as JsonObject)['properties'] as JsonObject)['source']) as JsonObject);
    // a new first property whose list items use the same shape
    root['properties'] = { aaaHistory: { type: 'array', items: { type: 'object', properties: { source } } }, ...properties };
    const after = generate(stringify(crd));
    expect(after).toContain('  source?: ApplicationSpecSource;');
    for (const name of declarations(before)) expect(declarations(after)).toContain(name);
    expect(declarations(after).filter((n) => !declarations(before).includes(n))).toEqual(['ApplicationAaaHistory']);
  });

  it('still gives back the CRD exactly', async () => {
    const text = await readFile(fixture, 'utf8');
    const file = generate(text);
    const rebuilt = buildCrds([{ path: join(repoRoot, 'test/.virtual-shapes/argoproj.example.com/v1alpha1/index.ts'), text: file }]);
    expect(rebuilt.warnings).toEqual([]);
    const original = parseCrdYaml(text, 'shared-shapes.yaml').crds[0]?.crd as JsonObject;
    expect(jsonEqual(normalizeForComparison(rebuilt.crds[0] as JsonObject), normalizeForComparison(original))).toBe(true);
  });
});
