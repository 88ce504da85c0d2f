import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateTypeFiles } from '../../../codegen/crd-to-ts/generate-types.js';
import { parseCrdYaml } from '../../../codegen/crd-to-ts/load.js';
import { jsonEqual, type JsonObject, type JsonValue } from '../../../codegen/shared/json.js';
import { normalizeForComparison } from '../../../codegen/shared/normalize.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';
import { firstDifference } from './diff.js';
import { seededRandom as random } from './seeded-random.js';

const DESCRIPTIONS = [
  'Plain text.',
  'Two\nlines.',
  '@at the start',
  '  @indented at',
  '\\backslash',
  'closes */ early',
  'odd *\\/ escape',
  'trailing newline\n',
  '\nleading newline',
  ' padded ',
  '* bullet\n  * nested',
  'quote \' and " and `tick`',
  'tab\there',
  '',
  'cr\r\nlf',
];
const NAMES = ['a', 'b', 'class', 'default', 'foo-bar', 'with space', '$ref', '0start', 'required', 'properties', 'type', "quote'", 'items', 'x', 'ünï'];
const PATTERNS = ['^[a-z]+$', ' spaced ', '"quoted"', '^\\d+(\\.\\d+)?$', '*/'];

function schemaFor(next: () => number, depth: number): JsonObject {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number): boolean => next() < p;
  const kinds = depth > 3 ? ['string', 'integer', 'number', 'boolean', 'enum', 'intOrString', 'unknown'] : ['string', 'integer', 'number', 'boolean', 'enum', 'intOrString', 'unknown', 'array', 'object', 'object', 'map', 'empty', 'preserve', 'embedded'];
  const kind = pick(kinds);
  let node: JsonObject;
  switch (kind) {
    case 'string':
      node = { type: 'string' };
      if (chance(0.3)) node['pattern'] = pick(PATTERNS);
      if (chance(0.3)) node['maxLength'] = Math.floor(next() * 100);
      if (chance(0.2)) node['format'] = pick(['date-time', 'byte', 'uri', 'int-or-string']);
      if (chance(0.2)) node['default'] = pick(['x', '', '*/']);
      break;
    case 'integer':
      node = { type: 'integer' };
      if (chance(0.6)) node['format'] = pick(['int32', 'int64']);
      if (chance(0.3)) node['minimum'] = -Math.floor(next() * 10);
      if (chance(0.3)) node['maximum'] = Math.floor(next() * 1000);
      if (chance(0.1)) node['exclusiveMaximum'] = true;
      break;
    case 'number':
      node = { type: 'number' };
      if (chance(0.3)) node['format'] = pick(['double', 'float', 'int64']);
      if (chance(0.2)) node['multipleOf'] = 0.5;
      break;
    case 'boolean':
      node = { type: 'boolean' };
      if (chance(0.3)) node['default'] = chance(0.5);
      break;
    case 'enum': {
      const flavour = pick(['string', 'integer', 'mixed', 'null']);
      if (flavour === 'string') node = { type: 'string', enum: [pick(['A', "it's", '*/', '']), pick(['B', 'c d'])] };
      else if (flavour === 'integer') node = { type: 'integer', format: 'int32', enum: [1, -2, 3] };
      else if (flavour === 'mixed') node = { type: 'string', enum: ['a', 1] };
      else node = { type: 'string', nullable: true, enum: ['a', null] };
      break;
    }
    case 'intOrString':
      node = { 'x-kubernetes-int-or-string': true };
      if (chance(0.8)) node['anyOf'] = chance(0.9) ? [{ type: 'integer' }, { type: 'string' }] : [{ type: 'string' }, { type: 'integer' }];
      break;
    case 'unknown':
      node = { 'x-kubernetes-preserve-unknown-fields': true };
      break;
    case 'array':
      node = { type: 'array', items: schemaFor(next, depth + 1) };
      if (chance(0.3)) node['x-kubernetes-list-type'] = pick(['atomic', 'set']);
      if (chance(0.2)) node['maxItems'] = 5;
      break;
    case 'map':
      node = { type: 'object', additionalProperties: schemaFor(next, depth + 1) };
      if (chance(0.3)) node['x-kubernetes-map-type'] = 'granular';
      break;
    case 'empty':
      node = { type: 'object' };
      break;
    case 'preserve':
      node = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      break;
    case 'embedded':
      node = { type: 'object', 'x-kubernetes-embedded-resource': true };
      {
        const roll = next();
        if (roll < 0.5) node['x-kubernetes-preserve-unknown-fields'] = true;
        else if (roll < 0.75) node['properties'] = { spec: schemaFor(next, depth + 2) };
      }
      break;
    default: {
      const properties: JsonObject = {};
      const count = 1 + Math.floor(next() * 4);
      for (let i = 0; i < count; i += 1) properties[pick(NAMES)] = schemaFor(next, depth + 1);
      node = { type: 'object', properties };
      const names = Object.keys(properties);
      if (chance(0.5)) node['required'] = names.filter(() => chance(0.5));
      if (chance(0.2)) node['x-kubernetes-preserve-unknown-fields'] = true;
      if (chance(0.2)) node['x-kubernetes-validations'] = [{ rule: 'self.a != "*/"', message: pick(['m', '*/']) }];
      if (chance(0.1)) node['oneOf'] = [{ required: [names[0] ?? 'a'] }];
      if (chance(0.1)) node['x-kubernetes-map-type'] = 'atomic';
    }
  }
  if (chance(0.5)) node['description'] = pick(DESCRIPTIONS);
  if (chance(0.1) && node['enum'] === undefined) node['nullable'] = true;
  if (chance(0.05)) node['title'] = 'T';
  if (chance(0.05)) node['example'] = { any: ['json'] };
  return node;
}

function fuzzCrd(seed: number): JsonObject {
  const next = random(seed);
  const kind = `Fuzz${seed}`;
  const version = (name: string, storage: boolean): JsonValue => ({
    name,
    served: true,
    storage,
    schema: {
      openAPIV3Schema: {
        type: 'object',
        description: 'Root.',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: schemaFor(next, 0), status: schemaFor(next, 0) },
      },
    },
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `fuzz${seed}s.fuzz.example.com` },
    spec: { group: 'fuzz.example.com', names: { kind, plural: `fuzz${seed}s` }, scope: 'Namespaced', versions: [version('v1', true), version('v2', false)] },
  };
}

describe('round trip on generated schemas', () => {
  it('gives back 150 pseudo-random structural schemas (seeded) exactly, after normalization', () => {
    const crds = Array.from({ length: 150 }, (_, i) => fuzzCrd(i + 1));
    const loaded = parseCrdYaml(crds.map((crd) => stringify(crd)).join('---\n'), 'fuzz.yaml').crds.map((c) => c.crd);
    const files = generateTypeFiles(loaded);
    const { crds: back, warnings } = buildCrds([...files].map(([path, text]) => ({ path: `/virtual/fuzz/${path}`, text })));
    expect(warnings).toEqual([]);
    for (const crd of loaded) {
      const rebuilt = back.find((c) => c.metadata['name'] === crd.metadata['name']);
      const a = normalizeForComparison(crd);
      const b = normalizeForComparison(rebuilt ?? {});
      expect(jsonEqual(a, b) ? undefined : `${String(crd.metadata['name'])}: ${firstDifference(a, b) ?? ''}`).toBeUndefined();
    }
  }, 60_000); // a few seconds alone; generous for a loaded machine
});
