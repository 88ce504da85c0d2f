import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatWarning } from '../../../codegen/errors.js';
import type { CrdDocument } from '../../../codegen/shared/crd.js';
import { jsonEqual, type JsonObject } from '../../../codegen/shared/json.js';
import { normalizeForComparison } from '../../../codegen/shared/normalize.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';
import { repoRoot } from './compile.js';
import { firstDifference } from './diff.js';
import { generateEdgeFiles } from './edge-crds.js';


let crds: CrdDocument[];
let files: Map<string, string>;
let edgeFile: string;
let rebuilt: ReturnType<typeof buildCrds>;

beforeAll(() => {
  ({ crds, files } = generateEdgeFiles());
  edgeFile = files.get('edge.example.com/v1/index.ts') ?? '';
  rebuilt = buildCrds([...files].map(([path, content]) => ({ path: join(repoRoot, 'test/.virtual-codegen-edge', path), text: content })));
}, 30_000);

describe('edge cases of opkit generate types', () => {
  // Compiling these files (and their type-level checks) is part of the one shared compile in corpus.test.ts.

  it('quotes property names that are reserved words or not identifiers', () => {
    expect(edgeFile).toContain("  'class': string;");
    expect(edgeFile).toContain("  'foo-bar'?: number;");
    expect(edgeFile).toContain("  'default'?: string | null;");
    expect(edgeFile).toContain("  'quote\\'s'?: string;");
  });

  it('escapes */ and lines that would read as tags in descriptions', () => {
    expect(edgeFile).toContain(' * Edge is a test kind. It ends a comment *\\/ here.');
    expect(edgeFile).toContain('   * \\@notATag starts this line');
    expect(edgeFile).toContain('   * \\\\ starts with a backslash');
    expect(edgeFile).toContain('   * \\  @indented at-sign');
    expect(edgeFile).toContain('   * ends with *\\/ and *\\\\/ too');
    expect(edgeFile).not.toMatch(/\*\/ here|no \*\/"/);
  });

  it('writes nullable as | null, arrays of arrays, maps as Record and int-or-string as number | string', () => {
    expect(edgeFile).toContain('  nullableObject?: EdgeSpec2NullableObject | null;');
    expect(edgeFile).toContain('  matrix: number[][];');
    expect(edgeFile).toContain('  grid?: EdgeSpec2Grid[];');
    expect(edgeFile).toContain('export type EdgeSpec2Grid = EdgeSpec2GridItem[];');
    expect(edgeFile).toContain('  labels?: Record<string, string>;');
    expect(edgeFile).toContain('  objectMap?: Record<string, EdgeSpec2ObjectMap>;');
    expect(edgeFile).toContain('  intOrString?: number | string;');
    expect(edgeFile).toContain('  ints?: 1 | 2 | 3;');
    expect(edgeFile).toContain('  negative?: -1.5 | 0 | 2;');
    expect(edgeFile).toContain('  flags?: true;');
    expect(edgeFile).toContain('  empty?: Record<string, never>;');
  });

  it('merges preserved unknown fields with known properties and types embedded resources as KubeObject', () => {
    expect(edgeFile).toMatch(/export interface EdgeSpec2Free \{\n(.*\n)*? {2}known\?: string;\n {2}\[key: string\]: unknown;\n\}/);
    expect(edgeFile).toContain('  anything?: unknown;');
    expect(edgeFile).toContain('  embedded?: KubeObject & { [key: string]: unknown };');
    expect(edgeFile).toContain('  embeddedTyped?: KubeObject & EdgeSpec2EmbeddedTyped;');
    expect(edgeFile).toContain("import type { KubeObject, Resource as OpkitResource } from '@opkit/runtime';");
  });

  it('lets identical shapes share one named type and resolves name collisions deterministically', () => {
    expect(edgeFile).toContain('  first?: EdgeSpec2First;');
    expect(edgeFile).toContain('  second?: EdgeSpec2First;');
    expect(edgeFile.match(/export interface EdgeSpec2First \{/g)).toHaveLength(1);
    expect(edgeFile).toContain('  firstName?: EdgeSpec2FirstName;');
    expect(edgeFile).toContain("  'first-name'?: EdgeSpec2FirstName2;");
    // the kind EdgeSpec owns its name, so Edge's spec type is EdgeSpec2
    expect(edgeFile).toContain('  spec: EdgeSpec2;');
    expect(edgeFile).toContain('export const EdgeSpec: OpkitResource<EdgeSpec> = {');
  });

  it('keeps what TypeScript cannot say in markers', () => {
    for (const marker of [
      '/** @type integer */\n  \'foo-bar\'?: number;',
      '/** @unset anyOf */\n  intOrString?: number | string;',
      '/** @pattern ^[0-9]+$ */\n  port?: number | string;',
      '/** @enum ["a",null] */\n  enumWithNull?: string | null;',
      '/** @format int32 */\n  ints?: 1 | 2 | 3;',
      '/** @mapType atomic */\n  labels?: Record<string, string>;',
      '   * @validation []\n   * @openapi example "foo"\n',
      '/** @description "" */\n  emptyDescription?: string;',
      '/** @description "a\\r\\nb" */\n  crlf?: string;',
      '/** @pattern " leading and trailing " */',
      '   * @anyOf [{"required":["a"]},{"not":{"required":["b"]}}]\n   * @oneOf [{"required":["a"]},{"required":["b"]}]\n',
      '   * @listType map\n   * @listMapKeys ["name","protocol"]\n',
      '/** @default {} */\n  withDefault: EdgeSpec2WithDefault;',
      ' * @annotation example.com/spaces "  padded value "\n',
      ' * @label app.kubernetes.io/part-of opkit\n',
      ' * @subresource scale {"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}\n',
      ' * @conversion {"strategy":"Webhook"',
      ' * @validation {"rule":"self.metadata.name.size() < 64","message":"name too long *\\/"}\n',
      '/** @format double */\nexport type EdgeSpec2Doubles = number;',
    ]) {
      expect(edgeFile).toContain(marker);
    }
    const v2 = files.get('edge.example.com/v2alpha1/index.ts') ?? '';
    expect(v2).toContain(' * @served false\n * @deprecated\n * @versionSpec subresources {}\n');
    expect(v2).toContain('/** @schema {"type":"object","properties":{"name":{"type":"string","maxLength":63}}} */\n  metadata?: V1ObjectMeta;');
    expect(v2).toContain('/** A spec that is a plain string. */\n  spec?: EdgeSpec;');
    expect(v2).toContain('export type EdgeSpec = string;');
  });

  it('puts the markers of list items on a named type', () => {
    expect(edgeFile).toContain('  hosts?: EdgeSpec2Hosts[];');
    expect(edgeFile).toMatch(/\/\*\*\n \* @pattern \^\[a-z\.\]\+\$\n \* @maxLength 253\n \*\/\nexport type EdgeSpec2Hosts = string;/);
    expect(edgeFile).toMatch(/\/\*\* A cell\. \*\/\nexport interface EdgeSpec2GridItem \{/);
    expect(edgeFile).toContain('/** @format date-time */\nexport type EdgeSpec2Dates = string;');
  });

  it('makes defaulted properties non-optional as read, optional in the …Input view, and keeps required+defaulted in @required', () => {
    expect(edgeFile).toMatch(/ \* @default 1\n {3}\*\/\n {2}replicas: number;/);
    expect(edgeFile).toContain('/** @required ["protocol"] */\nexport interface EdgeSpec2Ports {');
    expect(edgeFile).toMatch(/export interface EdgeSpec2Ports \{\n {2}name: string;\n(.*\n)*? {2}protocol: string;\n\}/);
    expect(edgeFile).toContain("export type EdgeSpec2Input = Omit<EdgeSpec2, 'replicas' | 'ports' | 'withDefault'> & {\n");
    expect(edgeFile).toMatch(/ {2}replicas\?: number;\n(.*\n)*? {2}ports\?: EdgeSpec2PortsInput\[\];\n(.*\n)*? {2}withDefault\?: EdgeSpec2WithDefaultInput;\n\};/);
    expect(edgeFile).toContain("export type EdgeSpec2PortsInput = Omit<EdgeSpec2Ports, 'protocol'> & {\n");
    expect(edgeFile).toMatch(/export type EdgeInput = Omit<Edge, 'spec'> & \{\n(.*\n)? {2}spec: EdgeSpec2Input;\n\};/);
    // a kind without defaults has no input view
    expect(edgeFile).not.toContain('EdgeSpecInput');
    const spec = (rebuilt.crds.find((c) => c.spec.names.kind === 'Edge')?.spec.versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema['properties'] as JsonObject)['spec'] as JsonObject;
    expect((spec['required'] as string[]).includes('replicas')).toBe(false);
    const ports = ((spec['properties'] as JsonObject)['ports'] as JsonObject)['items'] as JsonObject;
    expect([...(ports['required'] as string[])].sort()).toEqual(['name', 'protocol']);
  });

  it('marks root properties that the schema does not declare', () => {
    expect(edgeFile).toContain("  /** @notInSchema */\n  apiVersion?: 'edge.example.com/v1';");
  });
});

describe('edge cases of the round trip', () => {
  it('rebuilds every edge-case CRD without warnings', () => {
    expect(rebuilt.warnings.map(formatWarning)).toEqual([]);
    for (const crd of crds) {
      const back = rebuilt.crds.find((c) => c.metadata['name'] === crd.metadata['name']);
      expect(back, String(crd.metadata['name'])).toBeDefined();
      const a = normalizeForComparison(crd as JsonObject);
      const b = normalizeForComparison(back as JsonObject);
      expect(jsonEqual(a, b) ? undefined : firstDifference(a, b)).toBeUndefined();
    }
  });
});
