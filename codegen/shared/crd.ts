/**
 * The CustomResourceDefinition shape both directions work on (wire JSON, as in a YAML manifest),
 * with readers that validate just enough to generate code, and the normalization applied to every
 * input before hashing or comparing.
 * @module
 */
import { CodegenError, type SourceLocation } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

/** A CRD document as parsed: only the fields code generation relies on are typed. */
export interface CrdDocument extends JsonObject {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: JsonObject;
  spec: CrdSpec;
}

/** `spec` of a CRD. */
export interface CrdSpec extends JsonObject {
  group: string;
  names: CrdNames;
  scope: string;
  versions: CrdVersion[];
}

/** `spec.names` of a CRD. */
export interface CrdNames extends JsonObject {
  kind: string;
  plural: string;
}

/** One entry of `spec.versions`. */
export interface CrdVersion extends JsonObject {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: JsonObject } & JsonObject;
}

/** Server-set metadata fields that are not part of a CRD's definition; dropped on input. */
const SERVER_METADATA = ['creationTimestamp', 'resourceVersion', 'uid', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers', 'ownerReferences'];

/** Annotations written by tools on apply, not part of the definition; dropped on input. */
const NOISE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/** Whether a parsed YAML document is a CustomResourceDefinition (of any apiextensions version). */
export function isCrdLike(value: JsonValue): boolean {
  return isJsonObject(value) && value['kind'] === 'CustomResourceDefinition' && typeof value['apiVersion'] === 'string' && value['apiVersion'].startsWith('apiextensions.k8s.io/');
}

/**
 * Normalizes a CRD as read from a file or a cluster: keeps `apiVersion`, `kind`, `metadata` (without
 * server-set fields and apply annotations) and `spec`; drops `status`. Validates the fields code
 * generation needs and throws `CodegenError` (`InvalidCrd`) naming what is missing.
 */
export function normalizeCrd(value: JsonObject, location: SourceLocation): CrdDocument {
  const fail = (detail: string): never => {
    throw new CodegenError({ reason: 'InvalidCrd', message: `invalid CustomResourceDefinition: ${detail}`, location });
  };
  if (value['apiVersion'] !== 'apiextensions.k8s.io/v1') fail(`apiVersion ${JSON.stringify(value['apiVersion'])} is not supported (only apiextensions.k8s.io/v1)`);
  const metadataIn = isJsonObject(value['metadata']) ? value['metadata'] : {};
  const metadata: JsonObject = {};
  for (const [key, item] of Object.entries(metadataIn)) {
    if (SERVER_METADATA.includes(key)) continue;
    if (key === 'annotations' && isJsonObject(item)) {
      const annotations: JsonObject = {};
      for (const [name, text] of Object.entries(item)) if (!NOISE_ANNOTATIONS.includes(name)) annotations[name] = text;
      if (Object.keys(annotations).length > 0) metadata[key] = annotations;
      continue;
    }
    metadata[key] = item;
  }
  const spec = value['spec'];
  if (!isJsonObject(spec)) return fail('spec is missing');
  if (typeof spec['group'] !== 'string' || spec['group'] === '') fail('spec.group is missing');
  const names = spec['names'];
  if (!isJsonObject(names) || typeof names['kind'] !== 'string' || typeof names['plural'] !== 'string') fail('spec.names.kind and spec.names.plural are required');
  if (typeof spec['scope'] !== 'string') fail('spec.scope is missing');
  const versions = spec['versions'];
  if (!Array.isArray(versions) || versions.length === 0) return fail('spec.versions is empty');
  versions.forEach((version, i) => {
    if (!isJsonObject(version) || typeof version['name'] !== 'string') return fail(`spec.versions[${i}].name is missing`);
    const schema = version['schema'];
    if (!isJsonObject(schema) || !isJsonObject(schema['openAPIV3Schema'])) fail(`spec.versions[${i}] (${version['name']}) has no schema.openAPIV3Schema`);
    if (typeof version['served'] !== 'boolean' || typeof version['storage'] !== 'boolean') fail(`spec.versions[${i}] (${version['name']}) needs served and storage`);
    return undefined;
  });
  if (typeof metadata['name'] !== 'string') metadata['name'] = `${String((names as JsonObject)['plural'])}.${String(spec['group'])}`;
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata, spec: spec as CrdSpec };
}

/** `metadata.name` of a CRD. */
export function crdName(crd: CrdDocument): string {
  return String(crd.metadata['name']);
}
