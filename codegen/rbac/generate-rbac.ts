/**
 * `opkit generate rbac`: the least-privilege RBAC of an operator project, from three sources —
 * `@rbac` markers, what the controllers' code implies (see ./analyze.ts) and what the runtime
 * itself needs (events; leases for leader election).
 * @module
 */
import { relative, resolve } from 'node:path';
import { CodegenError } from '../errors.js';
import { expandInputs, readInput, syncOutputs, type OutputFile } from '../shared/files.js';
import { analyzeProject } from './analyze.js';
import { KindResolver } from './kinds.js';
import { findRbacTags, parseRbacMarker } from './markers.js';
import { DEFAULT_SERVICE_ACCOUNT, renderRbacFiles } from './render.js';
import type { Permission, PolicyRule } from './rules.js';

export { RBAC_GENERATED_MARKER } from './render.js';

/** Options of {@link generateRbac}. */
export interface GenerateRbacOptions {
  /** TypeScript files or folders to read (default `['src']`, relative to `cwd`). */
  readonly inputs?: readonly string[];
  /** Folder of the RBAC manifests (default `config/rbac`). */
  readonly out?: string;
  /** Write nothing; report files that differ (default false). */
  readonly check?: boolean;
  /**
   * The scope of the manager's cache, overriding what `new Manager({ namespace })` says:
   * `'cluster'`, or namespaces (one Role and RoleBinding each). Default: read from the code.
   */
  readonly scope?: 'cluster' | readonly string[];
  /** The ServiceAccount the roles are bound to (default `controller-manager` in `system`, the kustomize layout). */
  readonly serviceAccount?: { readonly name: string; readonly namespace: string };
  /** Base for relative paths and for the paths in messages (default `process.cwd()`). */
  readonly cwd?: string;
}

/** What {@link generateRbac} did. */
export interface GenerateRbacResult {
  readonly files: OutputFile[];
  /** Rules by namespace (`''` for the ClusterRole). */
  readonly rules: ReadonlyMap<string, PolicyRule[]>;
  readonly controllers: number;
  readonly warnings: string[];
}

/**
 * Generates `role.yaml`, `role_binding.yaml` and `leader_election_role.yaml` in `out`.
 *
 * Guarantees: stable output (sorted, deduplicated rules) that depends only on the sources; never a
 * wildcard; nothing is written when any input is in error.
 *
 * @throws CodegenError `InvalidMarker` (a malformed `@rbac`), `UnresolvedKind` (a kind the code
 *   names that is not a Resource descriptor), `UnresolvedScope` (a Manager namespace that is not a
 *   literal), each naming file and line; `InputNotFound`.
 */
export async function generateRbac(options: GenerateRbacOptions = {}): Promise<GenerateRbacResult> {
  const cwd = options.cwd ?? process.cwd();
  const at = (p: string): string => resolve(cwd, p);
  const display = (p: string): string => relative(cwd, p) || p;
  const files = await expandInputs((options.inputs ?? ['src']).map(at), ['.ts', '.mts', '.cts'], (p) => p.endsWith('.d.ts') || /\.test\.[cm]?ts$/.test(p));
  const warnings: string[] = [];

  const permissions: Permission[] = [];
  for (const file of files) {
    const text = await readInput(file);
    for (const tag of findRbacTags(text)) {
      permissions.push(...parseRbacMarker(tag.value, { file: display(file), line: tag.line }));
    }
  }
  const analysis = analyzeProject(files, new KindResolver({ display }));
  permissions.push(...analysis.permissions);
  if (analysis.controllers === 0) warnings.push(`no controller(mgr) builder chain found in ${(options.inputs ?? ['src']).join(', ')}; only the runtime's own rules and @rbac markers are generated`);

  let scope: readonly string[];
  if (options.scope === 'cluster') scope = [];
  else if (options.scope !== undefined) scope = options.scope;
  else {
    const unresolved = analysis.unresolvedNamespaces[0];
    if (unresolved !== undefined) {
      throw new CodegenError({
        reason: 'UnresolvedScope',
        location: unresolved,
        message: 'cannot read the Manager\'s namespace: write `namespace` as a string literal, or pass --namespace <ns> (repeatable) or --cluster to opkit generate rbac',
      });
    }
    scope = [...new Set(analysis.managerNamespaces.map((m) => m.namespace))].sort();
  }

  const { files: outputs, rules } = renderRbacFiles({ permissions, scope, serviceAccount: options.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT });
  const out = at(options.out ?? 'config/rbac');
  const written = await syncOutputs(outputs, out, options.check === true);
  return { files: written.map((f) => ({ ...f, path: relative(cwd, f.path) || f.path })), rules, controllers: analysis.controllers, warnings };
}
