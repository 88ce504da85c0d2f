import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectApiFolder, runGenerateTypes, type CommandIo } from '../../../cli/commands/generate.js';
import { generateTypes, loadCrds } from '../../../codegen/crd-to-ts/generate-types.js';
import { parseCrdYaml } from '../../../codegen/crd-to-ts/load.js';
import { documentLines, readYamlDocuments } from '../../../codegen/crd-to-ts/read-yaml.js';
import { schemaProblems } from '../../../codegen/crd-to-ts/validate-schema.js';
import { SchemaError, type CodegenError } from '../../../codegen/errors.js';
import { canonicalHash, canonicalJson, sha256 } from '../../../codegen/shared/json.js';
import { aliasBomb, crdWithSchema, hostileInputs } from '../../fixtures/codegen/hostile-inputs.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opkit-inputs-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(run: () => unknown): CodegenError {
  try {
    run();
  } catch (err) {
    return err as CodegenError;
  }
  throw new Error('expected an error');
}

describe('reading CRD files within limits', () => {
  it('refuses every malformed input with an error naming the file', () => {
    for (const input of hostileInputs()) {
      const err = thrown(() => parseCrdYaml(input.text, `in/${input.name}`));
      expect(err.message.startsWith(`in/${input.name}`), err.message).toBe(true);
      expect(err.location?.file).toBe(`in/${input.name}`);
      expect(err.message).toMatch(input.expect);
    }
  });

  it('gives each reason its own error type and keeps schema problems as data', () => {
    expect(thrown(() => parseCrdYaml('', 'e.yaml')).reason).toBe('EmptyInput');
    expect(thrown(() => parseCrdYaml(aliasBomb(), 'b.yaml')).reason).toBe('AliasExpansion');
    const err = thrown(() => parseCrdYaml(crdWithSchema('        type: object\n        properties:\n          a: {type: objekt}\n          b: {$ref: x, type: string}\n'), 's.yaml'));
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).problems.map((p) => [p.path, p.rule])).toEqual([
      ['spec.versions[0].schema.openAPIV3Schema.properties.a.type', 'unknown-type'],
      ['spec.versions[0].schema.openAPIV3Schema.properties.b.$ref', 'forbidden-keyword'],
    ]);
  });

  it('accepts aliases that do not blow up, and reads them as copies', () => {
    const text = crdWithSchema('        type: object\n        properties:\n          a: &s {type: string, maxLength: 3}\n          b: *s\n');
    const [crd] = parseCrdYaml(text, 'ok.yaml').crds;
    const props = crd?.crd.spec.versions[0]?.schema.openAPIV3Schema['properties'] as Record<string, unknown>;
    expect(props['a']).toEqual({ type: 'string', maxLength: 3 });
    expect(props['b']).toEqual(props['a']);
    expect(props['b']).not.toBe(props['a']);
  });

  it('nests up to the depth limit and no further, without a stack overflow', () => {
    const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(readYamlDocuments(nested(150), 'ok.yaml')).toHaveLength(1);
    expect(thrown(() => readYamlDocuments(nested(100_000), 'deep.yaml')).reason).toBe('InputTooDeep');
    expect(thrown(() => readYamlDocuments(nested(30), 'deep.yaml', { maxDepth: 20 })).message).toMatch(/^deep\.yaml:1:\d+: nesting deeper than 20 levels/);
  });

  it('reads JSON input and refuses values JSON cannot carry', () => {
    const json = JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } });
    expect(parseCrdYaml(json, 'w.json').crds).toHaveLength(1);
    expect(thrown(() => parseCrdYaml('a: .inf\n', 'inf.yaml')).message).toMatch(/^inf\.yaml:1: malformed YAML: document 1 holds a value JSON cannot carry/);
    // literals that would overflow to Infinity as numbers, without any .inf in the text: never a non-finite number
    for (const big of ['1e999', '-2.5E+400', '9'.repeat(400), `0x${'f'.repeat(300)}`]) {
      let value: unknown;
      try {
        value = (readYamlDocuments(`a:\n  b: ${big}\n`, 'big.yaml')[0]?.value as { a: { b: unknown } }).a.b;
      } catch (err) {
        value = (err as Error).message;
      }
      expect(typeof value === 'string' || Number.isFinite(value), `${big.slice(0, 12)} read as ${String(value)}`).toBe(true);
    }
    expect(readYamlDocuments('a: 1e300\nb: 123456789\n', 'ok.yaml')[0]?.value).toEqual({ a: 1e300, b: 123456789 });
  });

  it('unshares aliased nodes also when the anchor is the only & in the file', () => {
    const [doc] = readYamlDocuments('a: &x {k: 1}\nb: *x\n', 'alias.yaml');
    const value = doc?.value as { a: object; b: object };
    expect(value.a).toEqual(value.b);
    expect(value.a).not.toBe(value.b);
  });

  it('finds the line where each document starts', () => {
    expect(documentLines('a: 1\n---\n', 2)).toEqual([1, undefined]);
    expect(documentLines('# c\n---\na: 1\n---\nb: 2\n', 2)).toEqual([3, 5]);
    expect(documentLines('%YAML 1.2\n---\na: 1\n', 1)).toEqual([3]);
    expect(documentLines('--- {a: 1}\n---\nb: 1\n', 2)).toEqual([1, 3]);
    expect(documentLines('a: 1\n', 2)).toEqual([]);
    // only `---` at a line start and before a blank or the end is a marker
    expect(documentLines('a: "x---"\n----\n---b\n---\tc: 1\n---', 3)).toEqual([1, 4, undefined]);
    // U+2028 and U+2029 end a marker as they end a line for a multiline regex
    expect(documentLines('a: 1\n---\u2028b: 2\n', 2)).toEqual([1, 2]);
    expect(documentLines('a: 1\n---\u2029\nb: 2\n', 2)).toEqual([1, 3]);
    expect(documentLines('a: 1\r\n---\r\nb: 2\r\n', 2)).toEqual([1, 3]);
  });
});

describe('the source hash', () => {
  it('is the sha256 of the canonical JSON, also with keys JavaScript orders as array indexes', () => {
    for (const value of [{ b: 1, a: [{ d: 'x', c: null }] }, { '10': 1, '9': 2, a: { '1': true } }, [1, 'two', { z: [], y: {} }], { é: 1, e: 2, E: 3 }]) {
      expect(canonicalHash(value)).toBe(sha256(canonicalJson(value)));
    }
    expect(canonicalHash({ b: 1, a: 2 })).toBe(canonicalHash({ a: 2, b: 1 }));
  });
});

describe('schema rules', () => {
  it('allows what the API server allows: int-or-string anyOf, name/generateName on root metadata, junctors with only validation', () => {
    expect(schemaProblems({
      type: 'object',
      properties: {
        metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        free: { 'x-kubernetes-preserve-unknown-fields': true },
        either: { type: 'object', properties: { a: { type: 'string' } }, oneOf: [{ required: ['a'] }, { not: { required: ['a'] } }] },
        '$ref': { type: 'string' },
      },
    }, 'root')).toEqual([]);
  });

  it('reports the structural rules the API server enforces', () => {
    const rules = (schema: Record<string, unknown>): string[] => schemaProblems(schema as never, 'root').map((p) => `${p.path} ${p.rule}`);
    expect(rules({ type: 'string' })).toEqual(['root.type root-type-object']);
    expect(rules({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } })).toEqual(['root.properties.metadata.properties.labels root-metadata']);
    expect(rules({ type: 'object', properties: { a: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } } })).toEqual(['root.properties.a.additionalProperties properties-and-additionalProperties']);
    expect(rules({ type: 'object', properties: { a: { type: 'array', items: [{ type: 'string' }] } } })).toEqual(['root.properties.a.items items-not-schema']);
    expect(rules({ type: 'object', properties: { a: { type: 'array', uniqueItems: true, items: { type: 'string' } } } })).toEqual(['root.properties.a.uniqueItems unique-items']);
    expect(rules({ type: 'object', properties: { a: { type: 'string', maxLength: '3' } } })).toEqual(['root.properties.a.maxLength keyword-type']);
    expect(rules({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false })).toEqual(['root["x-kubernetes-preserve-unknown-fields"] preserve-unknown-fields-false']);
    expect(rules({ type: 'object', properties: { a: 'string' } })).toEqual(['root.properties.a schema-not-object']);
  });

  it('checks the JSON type of every typed keyword and names the expected one, and knows forbidden keywords only by their own names', () => {
    const messages = (node: Record<string, unknown>): string[] => schemaProblems({ type: 'object', properties: { a: node } } as never, 'root').map((p) => `${p.path}: ${p.message}`);
    expect(messages({ type: 'string', pattern: 1, nullable: 'yes', minimum: '0', minLength: -1, required: ['x', 2], enum: 'a' })).toEqual([
      'root.properties.a.pattern: pattern must be a string, not number 1',
      'root.properties.a.nullable: nullable must be true or false, not string "yes"',
      'root.properties.a.minimum: minimum must be a number, not string "0"',
      'root.properties.a.minLength: minLength must be a non-negative integer, not number -1',
      'root.properties.a.required: required must be a list of strings, not a list',
      'root.properties.a.enum: enum must be a list, not string "a"',
    ]);
    expect(messages({ type: 'string', definitions: {}, $schema: 'x' }).map((m) => m.split(':')[0])).toEqual(['root.properties.a.definitions', 'root.properties.a.$schema']);
    // the keywords' own problems first (in key order), then the node's structural ones, then its children's
    expect(schemaProblems({ type: 'object', properties: { a: { anyOf: 'x', minLength: -1, type: 'objekt', properties: { b: {} } } } } as never, 'root').map((p) => `${p.path} ${p.rule}`)).toEqual([
      'root.properties.a.minLength keyword-type',
      'root.properties.a.type unknown-type',
      'root.properties.a.anyOf keyword-type',
      'root.properties.a.properties.b type-required',
    ]);
    // a schema is first walked quickly for any problem, then again for all of them with their paths
    const clean = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, { type: 'object', properties: { g: { type: 'array', items: { type: 'string' } } } }]));
    expect(schemaProblems({ type: 'object', properties: clean } as never, 'root')).toEqual([]);
    const late = { ...clean, z: { type: 'object', properties: { y: { anyOf: [{ type: 'string' }, { not: { default: 1 } }] } } } };
    expect(schemaProblems({ type: 'object', properties: late } as never, 'root').map((p) => `${p.path} ${p.rule}`)).toEqual([
      'root.properties.z.properties.y type-required',
      'root.properties.z.properties.y.anyOf[0].type junctor-keyword',
      'root.properties.z.properties.y.anyOf[1].not.default junctor-keyword',
    ]);
    expect(schemaProblems({ type: 'object', properties: { a: { type: 'objekt' }, b: { type: 'objekt' }, c: { type: 'objekt' } } } as never, 'root', 2)).toHaveLength(2);
    // keys that are names on Object.prototype are neither typed nor forbidden keywords
    expect(messages({ type: 'string', constructor: 1, toString: 'x', hasOwnProperty: [] })).toEqual([]);
  });
});

describe('errors after reading name the file too', () => {
  it('two CRDs with one kind in one group/version, and a kind that cannot be a type name', async () => {
    await writeFile(join(dir, 'a.yaml'), crdWithSchema('        type: object\n'));
    await writeFile(join(dir, 'b.yaml'), crdWithSchema('        type: object\n', 'gizmos.example.com').replace('plural: widgets', 'plural: gizmos'));
    await expect(generateTypes({ inputs: [join(dir, 'a.yaml'), join(dir, 'b.yaml')], out: join(dir, 'api') })).rejects.toThrow(
      `${join(dir, 'b.yaml')}:1: CRDs widgets.example.com (${join(dir, 'a.yaml')}:1) and gizmos.example.com both define kind Widget in example.com/v1; generate them into different folders or rename one kind`,
    );
    await writeFile(join(dir, 'c.yaml'), crdWithSchema('        type: object\n', 'promises.example.com').replace('{kind: Widget, plural: widgets}', '{kind: Promise, plural: promises}'));
    await expect(generateTypes({ inputs: [join(dir, 'c.yaml')], out: join(dir, 'api') })).rejects.toThrow(new RegExp(`^${join(dir, 'c.yaml').replace(/[.*+?^$()|[\]\\]/g, '\\$&')}:1: kind "Promise" of promises.example.com cannot be a TypeScript type name; change spec.names.kind`));
    expect(existsSync(join(dir, 'api'))).toBe(false);
  });

  it('reports the first bad input in order, though the next one is read ahead', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await writeFile(join(dir, 'a.yaml'), 'kind: [unclosed\n');
      await writeFile(join(dir, 'b.yaml'), crdWithSchema('        type: object\n'.repeat(200)));
      // a.yaml is malformed while b.yaml, read during a.yaml's parse, is over the limit: a.yaml's error wins
      await expect(loadCrds({ inputs: [join(dir, 'a.yaml'), join(dir, 'b.yaml')], maxInputBytes: 1024 })).rejects.toMatchObject({ reason: 'MalformedYaml', location: { file: join(dir, 'a.yaml') } });
      await expect(loadCrds({ inputs: [join(dir, 'b.yaml'), join(dir, 'a.yaml')], maxInputBytes: 1024 })).rejects.toMatchObject({ reason: 'InputTooLarge', location: { file: join(dir, 'b.yaml') } });
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('folders, kustomizations and the default output folder', () => {
  it('skips kustomization files in a folder silently', async () => {
    await mkdir(join(dir, 'crd'));
    await writeFile(join(dir, 'crd', 'kustomization.yaml'), '# The CRDs of this project\nresources: []\n');
    await writeFile(join(dir, 'crd', 'component.yaml'), 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n');
    await writeFile(join(dir, 'crd', 'widgets.yaml'), crdWithSchema('        type: object\n'));
    const { crds, warnings } = await loadCrds({ inputs: [join(dir, 'crd')] });
    expect(crds.map((c) => c.crd.metadata['name'])).toEqual(['widgets.example.com']);
    expect(warnings).toEqual([]);
  });

  it('defaults --out to src/api of the nearest project (package.json with an opkit field)', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'p', opkit: { domain: 'example.com' } }));
    await mkdir(join(dir, 'config', 'crd'), { recursive: true });
    await writeFile(join(dir, 'config', 'crd', 'widgets.yaml'), crdWithSchema('        type: object\n'));
    expect(projectApiFolder(join(dir, 'config', 'crd'))).toBe(join(dir, 'src', 'api'));
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: join(dir, 'config') };
    expect(await runGenerateTypes([join(dir, 'config', 'crd')], io)).toBe(0);
    expect(out.join('')).toContain(join(dir, 'src', 'api', 'example.com', 'v1', 'index.ts'));
    expect(err).toEqual([]);
  });

  it('still requires --out outside a project, saying why', async () => {
    const err: string[] = [];
    const io: CommandIo = { stdout: () => undefined, stderr: (t) => err.push(t), cwd: '/' };
    expect(await runGenerateTypes([dir], io)).toBe(2);
    expect(err.join('')).toContain('error: --out <dir> is required outside an Opkit project');
  });
});
