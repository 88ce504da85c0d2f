/**
 * Assembling CRDs from root versions: versions of one group and kind become one CRD; CRD-level
 * markers must agree between them; exactly one version is the storage version.
 * @module
 */
import { CodegenError, type CodegenWarning } from '../errors.js';
import type { CrdDocument, CrdVersion } from '../shared/crd.js';
import { sameCrdMarkers } from '../shared/crd-markers.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../shared/json.js';
import type { RootVersion } from './roots.js';

/**
 * The conversion a kind of several versions gets when no `@conversion` marker says otherwise: a
 * webhook at `/convert` (served by `conversionFor` of @opkit/runtime/webhook) behind the operator's
 * `webhook-service` in the `system` namespace, kubebuilder's placeholders, which the kustomize
 * layout renames and whose `caBundle` the certificate manager (or cert-manager) fills in.
 */
export const DEFAULT_CONVERSION: JsonObject = {
  strategy: 'Webhook',
  webhook: {
    conversionReviewVersions: ['v1'],
    clientConfig: { service: { name: 'webhook-service', namespace: 'system', path: '/convert' } },
  },
};

function conflict(a: RootVersion, b: RootVersion, what: string): CodegenError {
  return new CodegenError({
    reason: 'ConflictingMarkers',
    message: `${b.kind} ${b.version} and ${a.version} (${a.location.file}:${a.location.line ?? 0}) disagree on ${what}`,
    location: b.location,
  });
}

function versionEntry(root: RootVersion, warnings: CodegenWarning[]): CrdVersion {
  const entry: JsonObject = { name: root.version, served: true, storage: false };
  for (const [key, value] of Object.entries(root.markers.version)) entry[key] = value;
  const descriptorSub = root.descriptor?.subresources;
  const marked = entry['subresources'];
  if (marked === undefined && descriptorSub !== undefined) {
    if (descriptorSub.scale === true) {
      throw new CodegenError({ reason: 'InvalidMarker', message: `${root.kind}: the descriptor enables scale; add @subresource scale {"specReplicasPath":...,"statusReplicasPath":...}`, location: root.location });
    }
    if (descriptorSub.status === true) entry['subresources'] = { status: {} };
  } else if (descriptorSub !== undefined && isJsonObject(marked)) {
    for (const name of ['status', 'scale'] as const) {
      if ((descriptorSub[name] === true) !== (marked[name] !== undefined)) {
        warnings.push({ location: root.location, message: `descriptor subresources.${name} and @subresource markers disagree; the markers win` });
      }
    }
  }
  entry['schema'] = { openAPIV3Schema: root.schema };
  return entry as CrdVersion;
}

/**
 * Builds one CRD per group and kind. Versions are sorted by name (as controller-gen writes them);
 * a single version without `@storageVersion` is the storage version; a kind of several versions
 * without a `@conversion` marker gets {@link DEFAULT_CONVERSION}.
 */
export function assembleCrds(roots: readonly RootVersion[], warnings: CodegenWarning[]): CrdDocument[] {
  const byKind = new Map<string, RootVersion[]>();
  for (const root of roots) {
    const key = `${root.group}/${root.kind}`;
    byKind.set(key, [...(byKind.get(key) ?? []), root]);
  }
  const crds: CrdDocument[] = [];
  for (const [, versions] of [...byKind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const first = versions[0] as RootVersion;
    const seen = new Set<string>();
    for (const root of versions) {
      if (seen.has(root.version)) {
        throw new CodegenError({ reason: 'ConflictingMarkers', message: `${root.kind} ${root.version} is declared twice`, location: root.location });
      }
      seen.add(root.version);
      if (root.plural !== first.plural) throw conflict(first, root, 'the plural');
      if (root.scope !== first.scope) throw conflict(first, root, 'the scope');
      if (!sameCrdMarkers(first.markers, root.markers)) throw conflict(first, root, 'CRD-level markers (names, annotations, labels, conversion)');
    }
    const sorted = [...versions].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    const entries = sorted.map((root) => versionEntry(root, warnings));
    const storage = entries.filter((e) => e.storage);
    if (entries.length === 1 && storage.length === 0 && entries[0] !== undefined) entries[0].storage = true;
    else if (storage.length !== 1) {
      throw new CodegenError({ reason: 'InvalidMarker', message: `${first.kind} needs exactly one @storageVersion among ${entries.map((e) => e.name).join(', ')}`, location: first.location });
    }
    const metadata: JsonObject = { name: `${first.plural}.${first.group}`, ...first.markers.metadata };
    const names: JsonObject = { kind: first.kind, plural: first.plural, ...first.markers.names };
    const spec: JsonObject = { group: first.group, names, scope: first.scope, versions: entries as JsonValue[], ...first.markers.spec };
    if (entries.length > 1 && spec['conversion'] === undefined) spec['conversion'] = structuredClone(DEFAULT_CONVERSION);
    crds.push({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata, spec } as CrdDocument);
  }
  return crds;
}
