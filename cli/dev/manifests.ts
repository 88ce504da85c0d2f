/**
 * `opkit dev`'s manifests: the project's CRDs and samples, read from config/ and applied with
 * server-side apply.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomResourceDefinition, OpkitError, type ApplyConfiguration, type Client, type KubeObject, type Resource } from '@opkit/runtime';
import { parseAllDocuments } from 'yaml';

/** An error of `opkit dev` that names what to fix. */
export class DevError extends OpkitError {
  constructor(options: { reason: 'NotAProject' | 'RealCluster' | 'BadManifest' | 'NotEstablished'; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}

/** The YAML documents of every `.yaml`/`.yml` file in `dir` but kustomization.yaml, sorted by file. */
export function readDocuments(dir: string): Array<{ file: string; object: KubeObject }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ file: string; object: KubeObject }> = [];
  for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f)).sort()) {
    const file = join(dir, name);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new DevError({ reason: 'BadManifest', message: `${file}: ${doc.errors[0]?.message ?? 'malformed YAML'}; fix the file and save it again` });
      const object = doc.toJS() as KubeObject | null;
      if (object !== null) out.push({ file, object });
    }
  }
  return out;
}

/** What a served CRD version looks like to a client: a Resource per kind. */
export type KindIndex = ReadonlyMap<string, Resource>;

interface CrdShape {
  metadata?: { name?: string };
  spec?: { group?: string; scope?: string; names?: { kind?: string; plural?: string }; versions?: Array<{ name?: string; served?: boolean; subresources?: { status?: unknown } }> };
}

/**
 * Applies every CRD under `dir` (server-side apply, field manager `opkit-dev`) and waits until each
 * is Established; returns a Resource per `apiVersion/kind` they serve.
 */
export async function applyCrds(client: Client, dir: string, signal: AbortSignal, timeoutMs = 30_000): Promise<KindIndex> {
  const index = new Map<string, Resource>();
  const crds = readDocuments(dir).filter((d) => d.object.kind === 'CustomResourceDefinition');
  for (const { file, object } of crds) {
    const name = object.metadata?.name;
    if (!name) throw new DevError({ reason: 'BadManifest', message: `${file}: a CustomResourceDefinition without metadata.name` });
    await client.apply(CustomResourceDefinition, object as ApplyConfiguration<CustomResourceDefinition>, { fieldManager: 'opkit-dev', force: true, signal });
    const spec = (object as CrdShape).spec ?? {};
    for (const v of spec.versions ?? []) {
      if (v.served === false || !v.name || !spec.group || !spec.names?.kind || !spec.names.plural) continue;
      index.set(`${spec.group}/${v.name}/${spec.names.kind}`, {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        plural: spec.names.plural,
        namespaced: spec.scope !== 'Cluster',
        ...(v.subresources?.status === undefined ? {} : { subresources: { status: true } }),
      });
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const { object } of crds) {
    const name = object.metadata?.name ?? '';
    for (;;) {
      const crd = await client.get(CustomResourceDefinition, { name }, { signal });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new DevError({ reason: 'NotEstablished', message: `CRD ${name} did not become Established within ${timeoutMs} ms: ${JSON.stringify(crd.status?.conditions ?? [])}` });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return index;
}

/** Applies config/samples (server-side apply); a sample of a kind no CRD serves is an error naming the file. */
export async function applySamples(client: Client, dir: string, kinds: KindIndex, signal: AbortSignal): Promise<string[]> {
  const applied: string[] = [];
  for (const { file, object } of readDocuments(dir)) {
    const resource = kinds.get(`${object.apiVersion ?? ''}/${object.kind ?? ''}`);
    const name = object.metadata?.name;
    if (resource === undefined || !name) {
      throw new DevError({ reason: 'BadManifest', message: `${file}: ${object.apiVersion ?? '?'} ${object.kind ?? '?'} ${name ?? ''} is not a kind of config/crd (or has no name); samples must be objects of the project's own kinds` });
    }
    const metadata = { ...object.metadata, name, ...(resource.namespaced ? { namespace: object.metadata?.namespace ?? 'default' } : {}) };
    await client.apply(resource, { ...object, metadata } as ApplyConfiguration<KubeObject>, { fieldManager: 'opkit-dev', force: true, signal });
    applied.push(`${resource.plural}/${name}`);
  }
  return applied;
}
