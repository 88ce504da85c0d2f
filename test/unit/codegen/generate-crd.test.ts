import { describe, expect, it } from 'vitest';
import type { CodegenError} from '../../../codegen/errors.js';
import { formatWarning, UnsupportedTypeError } from '../../../codegen/errors.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';

const widgetTypes = `
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { KubeObject, Resource } from '@opkit/runtime';
import type { Quantity } from './common.js';

/**
 * Widget is the Schema for the widgets API.
 *
 * @storageVersion
 * @shortName wd
 * @category examples
 * @printColumn {"jsonPath":".spec.size","name":"Size","type":"integer"}
 * @subresource status
 * @validation {"rule":"self.metadata.name.size() <= 63","message":"name too long"}
 */
export interface Widget {
  apiVersion?: 'example.com/v1';
  kind?: 'Widget';
  metadata?: V1ObjectMeta;
  /** Desired state. */
  spec: WidgetSpec;
  status?: WidgetStatus;
}

export const Widget: Resource<Widget> = {
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: false,
  subresources: { status: true },
};

/**
 * A DNS label.
 *
 * @maxLength 63
 * @pattern ^[a-z0-9-]+$
 */
export type Label = string;

interface Named {
  /** The name. */
  name: string;
}

export interface WidgetSpec extends Named {
  /**
   * Number of replicas.
   *
   * @format int32
   * @minimum 1
   * @default 1
   */
  size?: number;
  flavour: 'plain' | 'fancy';
  /** Overrides the alias's description; keeps its markers. */
  label?: Label;
  /** @maxLength 10 */
  shortLabel?: Label;
  labels?: Array<Label>;
  limits?: Record<string, Quantity>;
  readonly tags?: readonly string[];
  template?: KubeObject & { [key: string]: unknown };
  /** @listType map
   * @listMapKeys ["port"] */
  ports?: { port: number; 'host-ip'?: string | null }[];
}

export interface WidgetStatus {
  /** @format date-time */
  lastUpdated?: string;
  [key: string]: unknown;
}
`;

const commonTypes = `
/** A quantity such as 100m or 1Gi. */
export type Quantity = number | string;
`;

describe('opkit generate crd from hand-written types', () => {
  it('builds the CRD from markers, the descriptor, aliases, extends and relative imports', () => {
    const { crds, warnings } = buildCrds([
      { path: '/virtual/api/widget.ts', text: widgetTypes },
      { path: '/virtual/api/common.ts', text: commonTypes },
    ]);
    expect(warnings).toEqual([]);
    expect(crds).toHaveLength(1);
    const label = { type: 'string', description: 'A DNS label.', maxLength: 63, pattern: '^[a-z0-9-]+$' };
    expect(crds[0]).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'], categories: ['examples'] },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [{ jsonPath: '.spec.size', name: 'Size', type: 'integer' }],
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                description: 'Widget is the Schema for the widgets API.',
                'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() <= 63', message: 'name too long' }],
                required: ['spec'],
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: {
                    type: 'object',
                    description: 'Desired state.',
                    required: ['name', 'flavour'],
                    properties: {
                      name: { type: 'string', description: 'The name.' },
                      size: { type: 'integer', format: 'int32', description: 'Number of replicas.', minimum: 1, default: 1 },
                      flavour: { type: 'string', enum: ['plain', 'fancy'] },
                      label: { ...label, description: "Overrides the alias's description; keeps its markers." },
                      shortLabel: { ...label, maxLength: 10 },
                      labels: { type: 'array', items: label },
                      limits: {
                        type: 'object',
                        additionalProperties: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'A quantity such as 100m or 1Gi.' },
                      },
                      tags: { type: 'array', items: { type: 'string' } },
                      template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
                      ports: {
                        type: 'array',
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['port'],
                        items: {
                          type: 'object',
                          required: ['port'],
                          properties: { port: { type: 'number' }, 'host-ip': { type: 'string', nullable: true } },
                        },
                      },
                    },
                  },
                  status: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    properties: { lastUpdated: { type: 'string', format: 'date-time' } },
                  },
                },
              },
            },
          },
        ],
      },
    });
  });

  it('reads a root without a descriptor from @group/@version/@plural/@scope and guesses the plural', () => {
    const text = (plural: string) => `/**\n * @group example.com\n * @version v1\n${plural} * @scope Cluster\n */\nexport interface Policy { spec?: { a?: string } }\n`;
    const guessed = buildCrds([{ path: '/virtual/a.ts', text: text('') }]).crds[0];
    expect(guessed?.spec.names.plural).toBe('policies');
    expect(guessed?.spec.scope).toBe('Cluster');
    expect(guessed?.metadata['name']).toBe('policies.example.com');
    const explicit = buildCrds([{ path: '/virtual/b.ts', text: text(' * @plural policys\n') }]).crds[0];
    expect(explicit?.spec.names.plural).toBe('policys');
  });

  it('reads a root written like the runtime documents it: extends KubeObject, with a descriptor', () => {
    const text = [
      "import type { KubeObject, Resource } from '@opkit/runtime';",
      'export interface Widget extends KubeObject { spec?: WidgetSpec; status?: WidgetStatus }',
      'export interface WidgetSpec { size: number }',
      'export interface WidgetStatus { ready?: boolean }',
      "export const Widget: Resource<Widget> = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, subresources: { status: true } };",
    ].join('\n');
    const { crds, warnings } = buildCrds([{ path: '/virtual/widget.ts', text }]);
    expect(warnings).toEqual([]);
    expect(crds[0]?.spec.versions[0]).toEqual({
      name: 'v1',
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object' },
            spec: { type: 'object', required: ['size'], properties: { size: { type: 'number' } } },
            status: { type: 'object', properties: { ready: { type: 'boolean' } } },
          },
        },
      },
    });
  });

  it('merges versions of one kind from several files into one CRD, and refuses disagreeing CRD markers', () => {
    const version = (v: string, tags: string) => `/**\n * @group example.com\n * @version ${v}\n${tags} */\nexport interface Thing { spec?: { a?: string } }\n`;
    const merged = buildCrds([
      { path: '/virtual/v1.ts', text: version('v1', ' * @storageVersion\n * @shortName th\n') },
      { path: '/virtual/v1beta1.ts', text: version('v1beta1', ' * @shortName th\n * @deprecated use v1\n') },
    ]).crds;
    expect(merged).toHaveLength(1);
    expect(merged[0]?.spec.versions.map((v) => [v.name, v.storage, v['deprecated'] ?? false, v['deprecationWarning'] ?? ''])).toEqual([
      ['v1', true, false, ''],
      ['v1beta1', false, true, 'use v1'],
    ]);
    expect(() =>
      buildCrds([
        { path: '/virtual/v1.ts', text: version('v1', ' * @storageVersion\n * @shortName th\n') },
        { path: '/virtual/v1beta1.ts', text: version('v1beta1', ' * @shortName other\n') },
      ]),
    ).toThrow(expect.objectContaining({ reason: 'ConflictingMarkers' }));
    expect(() =>
      buildCrds([
        { path: '/virtual/v1.ts', text: version('v1', '') },
        { path: '/virtual/v1beta1.ts', text: version('v1beta1', '') },
      ]),
    ).toThrow(/needs exactly one @storageVersion among v1, v1beta1/);
  });

  it('names the file and line of a type it cannot turn into a schema', () => {
    const text = '/**\n * @group example.com\n * @version v1\n */\nexport interface Thing {\n  spec?: Map<string, string>;\n}\n';
    let error: unknown;
    try {
      buildCrds([{ path: '/virtual/thing.ts', text }]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnsupportedTypeError);
    expect((error as CodegenError).reason).toBe('UnsupportedType');
    expect((error as CodegenError).message).toBe('/virtual/thing.ts:6:10: cannot resolve type `Map` (declare it in an input file, or import it from a relative file)');
  });

  it('warns about unknown markers and ignores TSDoc documentation tags', () => {
    const text = '/**\n * @group example.com\n * @version v1\n */\nexport interface Thing {\n  /**\n   * @remarks fine\n   * @minimun 1\n   */\n  spec?: string;\n}\n';
    const { warnings } = buildCrds([{ path: '/virtual/thing.ts', text }]);
    expect(warnings.map(formatWarning)).toEqual(['/virtual/thing.ts:10:3: unknown marker @minimun; ignored']);
  });
});
