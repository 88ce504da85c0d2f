/**
 * Small CRDs that exercise what the corpus does not: reserved words, `*\/` in descriptions,
 * nullable, arrays of arrays, shared shapes, name collisions, embedded resources, fallbacks.
 */
import { stringify } from 'yaml';
import { generateTypeFiles } from '../../../codegen/crd-to-ts/generate-types.js';
import { parseCrdYaml } from '../../../codegen/crd-to-ts/load.js';
import type { CrdDocument } from '../../../codegen/shared/crd.js';
import type { JsonObject } from '../../../codegen/shared/json.js';

const meta = {
  apiVersion: { type: 'string', description: 'APIVersion of the object.' },
  kind: { type: 'string', description: 'Kind of the object.' },
  metadata: { type: 'object' },
};

/** The main edge-case CRD: kind `Edge`, two versions. */
export const edgeCrd: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'edges.edge.example.com',
    annotations: { 'controller-gen.kubebuilder.io/version': 'v0.21.0', 'example.com/spaces': '  padded value ' },
    labels: { 'app.kubernetes.io/part-of': 'opkit' },
  },
  spec: {
    group: 'edge.example.com',
    names: { kind: 'Edge', listKind: 'EdgeList', plural: 'edges', singular: 'edge', shortNames: ['ed'], categories: ['all', 'examples'] },
    scope: 'Namespaced',
    conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'conv', namespace: 'system', path: '/convert' } } } },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        additionalPrinterColumns: [{ name: 'Class', type: 'string', jsonPath: '.spec.class', description: 'the */ class' }],
        selectableFields: [{ jsonPath: '.spec.class' }],
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'Edge is a test kind. It ends a comment */ here.',
            required: ['spec'],
            'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() < 64', message: 'name too long */' }],
            properties: {
              ...meta,
              spec: {
                type: 'object',
                required: ['class', 'matrix'],
                'x-kubernetes-validations': [{ rule: "self.class != '*/'", message: 'no */', messageExpression: "'class ' + self.class" }],
                properties: {
                  class: {
                    type: 'string',
                    description: '@notATag starts this line\n\\ starts with a backslash\n  @indented at-sign\n * a bullet\nends with */ and *\\/ too\n',
                  },
                  'foo-bar': { type: 'integer' },
                  default: { type: 'string', nullable: true },
                  replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10, default: 1 },
                  matrix: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
                  doubles: { type: 'array', items: { type: 'number', format: 'double' } },
                  grid: {
                    type: 'array',
                    items: { type: 'array', maxItems: 3, items: { type: 'object', description: 'A cell.', required: ['x'], properties: { x: { type: 'integer', format: 'int64' } } } },
                  },
                  nullableObject: { type: 'object', nullable: true, properties: { a: { type: 'string' } } },
                  first: { type: 'object', description: 'First use of a shape.', properties: { name: { type: 'string', maxLength: 63 } } },
                  second: { type: 'object', description: 'Second use of the same shape.', properties: { name: { type: 'string', maxLength: 63 } } },
                  firstName: { type: 'object', properties: { other: { type: 'boolean' } } },
                  'first-name': { type: 'object', properties: { x: { type: 'string' } } },
                  intOrString: { 'x-kubernetes-int-or-string': true },
                  port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+$' },
                  enumWithNull: { type: 'string', nullable: true, enum: ['a', null] },
                  ints: { type: 'integer', format: 'int32', enum: [1, 2, 3] },
                  negative: { type: 'number', enum: [-1.5, 0, 2] },
                  flags: { type: 'boolean', enum: [true] },
                  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
                  anything: { 'x-kubernetes-preserve-unknown-fields': true },
                  embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
                  embeddedTyped: {
                    type: 'object',
                    'x-kubernetes-embedded-resource': true,
                    properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
                  },
                  labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' },
                  objectMap: {
                    type: 'object',
                    additionalProperties: { type: 'object', properties: { v: { type: 'integer', format: 'int64', minimum: 0, exclusiveMaximum: true, maximum: 10 } } },
                  },
                  hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', pattern: '^[a-z.]+$', maxLength: 253 } },
                  ports: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name', 'protocol'],
                    items: { type: 'object', required: ['name', 'protocol'], properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } } },
                  },
                  empty: { type: 'object' },
                  oneOfs: {
                    type: 'object',
                    properties: { a: { type: 'string' }, b: { type: 'string' } },
                    oneOf: [{ required: ['a'] }, { required: ['b'] }],
                    anyOf: [{ required: ['a'] }, { not: { required: ['b'] } }],
                  },
                  withDefault: { type: 'object', default: {}, properties: { x: { type: 'string', default: 'x' } } },
                  "quote's": { type: 'string', pattern: ' leading and trailing ' },
                  emptyDescription: { type: 'string', description: '' },
                  crlf: { type: 'string', description: 'a\r\nb' },
                  example: { type: 'string', example: 'foo', 'x-kubernetes-validations': [] },
                  dates: { type: 'array', items: { type: 'string', format: 'date-time' } },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
      {
        name: 'v2alpha1',
        served: false,
        storage: false,
        deprecated: true,
        subresources: {},
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              ...meta,
              metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
              spec: { type: 'string', description: 'A spec that is a plain string.' },
            },
          },
        },
      },
    ],
  },
};

/** A kind named `EdgeSpec`: `Edge`'s spec type must then take another name. */
export const edgeSpecCrd: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'edgespecs.edge.example.com' },
  spec: {
    group: 'edge.example.com',
    names: { kind: 'EdgeSpec', plural: 'edgespecs' },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { ...meta, spec: { type: 'object', properties: { size: { type: 'integer', format: 'int32' } } } } } },
      },
    ],
  },
};

/** A kind named `Resource`: the generated file must import the runtime's `Resource` under another name. */
export const resourceCrd: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'resources.edge.example.com' },
  spec: {
    group: 'edge.example.com',
    names: { kind: 'Resource', plural: 'resources' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { data: { type: 'object', additionalProperties: { type: 'string' } } } } } }],
  },
};

/** The edge-case CRDs, read through the YAML loader, and the files generated from them. */
export function generateEdgeFiles(): { crds: CrdDocument[]; files: Map<string, string> } {
  const text = [edgeCrd, edgeSpecCrd, resourceCrd].map((crd) => stringify(crd)).join('---\n');
  const crds = parseCrdYaml(text, 'edge.yaml').crds.map((c) => c.crd);
  return { crds, files: generateTypeFiles(crds) };
}
