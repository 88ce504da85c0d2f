import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TestEnvironmentError } from './errors.js';

/** A CustomResourceDefinition as read from disk, with where it came from. */
export interface CrdDocument {
  readonly source: string;
  readonly crd: CrdObject;
}

/** The parts of an apiextensions.k8s.io/v1 CustomResourceDefinition the harness reads. */
export interface CrdObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  spec: {
    group: string;
    names: { plural: string; kind: string; [key: string]: unknown };
    versions: Array<{ name: string; served: boolean; storage: boolean; [key: string]: unknown }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** File names kustomize reads: never CRDs, and expected beside them (`apiVersion`/`kind` are optional in them). */
const KUSTOMIZATION_FILES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** The manifest files (.yaml, .yml, .json; not kustomize's) of a file or folder, recursively, sorted. */
export function listManifestFiles(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return listManifestFiles(full);
      return MANIFEST_EXTENSIONS.has(extname(entry.name)) && !KUSTOMIZATION_FILES.has(entry.name) ? [full] : [];
    });
}

/**
 * Reads CRDs from files and folders (recursively) of multi-document YAML or JSON.
 *
 * Guarantees: documents that are not `apiextensions.k8s.io/v1` CRDs are skipped and reported
 * through `onWarning`, except kustomize's own files (named `kustomization.yaml` in a folder, or
 * of `kustomize.config.k8s.io`), which sit beside CRDs in a kustomize layout and are skipped
 * silently; nothing is installed here, so a bad file fails before anything starts.
 *
 * @throws TestEnvironmentError `CrdPathNotFound` naming a missing path; `CrdParseFailed` naming the
 *   file and line of malformed YAML.
 */
export function loadCrds(paths: readonly string[], onWarning: (message: string) => void): CrdDocument[] {
  const docs: CrdDocument[] = [];
  for (const given of paths) {
    const path = resolve(given);
    if (!existsSync(path)) {
      throw new TestEnvironmentError({
        reason: 'CrdPathNotFound',
        message: `CRD path ${given} does not exist (resolved to ${path}). Fix crdPaths to point at CRD files or folders.`,
      });
    }
    for (const file of listManifestFiles(path)) {
      const text = readFileSync(file, 'utf8');
      const parsed = parseAllDocuments(text, { prettyErrors: true });
      const list = Array.isArray(parsed) ? parsed : [parsed];
      list.forEach((doc, index) => {
        const error = doc.errors[0];
        if (error) {
          const line = error.linePos?.[0]?.line;
          throw new TestEnvironmentError({
            reason: 'CrdParseFailed',
            message: `${file}${line ? `:${line}` : ''}: malformed YAML: ${error.message.split('\n')[0]}`,
            cause: error,
          });
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined || isKustomization(value)) return;
        if (!isCrd(value)) {
          const kind = typeof value === 'object' && value && 'kind' in value ? String(value.kind) : typeof value;
          onWarning(`skipping document ${index + 1} of ${file}: ${kind} is not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
          return;
        }
        docs.push({ source: `${file} (document ${index + 1})`, crd: value });
      });
    }
  }
  return docs;
}

function isCrd(value: unknown): value is CrdObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<CrdObject>;
  return v.apiVersion === 'apiextensions.k8s.io/v1' && v.kind === 'CustomResourceDefinition' && typeof v.spec === 'object';
}

/** A kustomize `Kustomization` or `Component`: expected beside CRDs, never one of them. */
function isKustomization(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !('apiVersion' in value)) return false;
  const { apiVersion } = value;
  return typeof apiVersion === 'string' && apiVersion.startsWith('kustomize.config.k8s.io/');
}
