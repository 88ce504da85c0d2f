/**
 * Reading a CRD from the cluster of the current kubeconfig (`--from-cluster <crd-name>`).
 * @module
 */
import { CodegenError } from '../errors.js';

/** Reads one CRD by name and returns it as wire JSON (the shape of a YAML manifest). */
export type ClusterCrdReader = (name: string) => Promise<unknown>;

interface AttributeMapped {
  getAttributeTypeMap(): readonly { name: string; baseName: string }[];
}

function hasAttributeMap(value: unknown): value is AttributeMapped {
  return typeof value === 'function' && typeof (value as { getAttributeTypeMap?: unknown }).getAttributeTypeMap === 'function';
}

/**
 * Converts a typed @kubernetes/client-node model (attributes such as
 * `x_kubernetes_preserve_unknown_fields`, `_default`, `openAPIV3Schema`) back to its wire JSON form.
 */
export function toWireJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  const ctor: unknown = value.constructor;
  const names = hasAttributeMap(ctor) ? new Map(ctor.getAttributeTypeMap().map((a) => [a.name, a.baseName])) : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[names?.get(key) ?? key] = toWireJson(item);
  }
  return out;
}

/**
 * The default reader: loads the current kubeconfig (`KUBECONFIG` or `~/.kube/config`, as kubectl
 * does) and reads `apiextensions.k8s.io/v1` CustomResourceDefinitions with `ApiextensionsV1Api`.
 * Throws `CodegenError` (`ClusterReadFailed`) naming the CRD.
 */
export const readCrdFromCluster: ClusterCrdReader = async (name) => {
  try {
    const k8s = await import('@kubernetes/client-node');
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    const api = config.makeApiClient(k8s.ApiextensionsV1Api);
    const crd = await api.readCustomResourceDefinition({ name });
    return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...(toWireJson(crd) as object) };
  } catch (err) {
    throw new CodegenError({
      reason: 'ClusterReadFailed',
      message: `cannot read CustomResourceDefinition ${name} from the cluster: ${err instanceof Error ? err.message : String(err)}`,
      location: { file: `cluster:${name}` },
      cause: err,
    });
  }
};
