/**
 * What adding a kind (or a version of a kind) does to a project's files: the plan decided from the
 * CRDs it has, then the CRD, controller, test, sample, kustomization entries, main.ts registration
 * and types. Shared by the `api` yeoman generator and the non-interactive scaffold
 * (generators/scaffold.ts); everything goes through {@link ProjectFiles}, nothing touches the disk.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderRbacFiles } from '../../codegen/rbac/render.js';
import type { Permission } from '../../codegen/rbac/rules.js';
import { apiSpec, type ApiSpec } from '../shared/api-spec.js';
import { ScaffoldError } from '../shared/errors.js';
import { registerController } from '../shared/main-edit.js';
import { addCrdVersion, addKustomizeResource, summarizeCrd, type CrdSummary } from '../shared/manifests.js';
import { templatesDir } from '../shared/paths.js';
import { renderTemplateFile, type ProjectFiles } from '../shared/project-files.js';
import { generateProjectTypes } from '../shared/types.js';

/** What the run does, decided from the project's CRDs. */
export type ApiPlan =
  | { readonly mode: 'new-kind' }
  | { readonly mode: 'new-version'; readonly crdFile: string; readonly crd: CrdSummary }
  | { readonly mode: 'regenerate'; readonly crdFile: string; readonly crd: CrdSummary };

/** The API asked for: given values (flags, prompts) and the project's domain. */
export interface ApiRequest {
  readonly domain: string;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly kind?: string | undefined;
  readonly plural?: string | undefined;
  readonly clusterScoped?: boolean | undefined;
  /** Regenerate what exists (`--force`). */
  readonly force: boolean;
}

/**
 * The request of a new project's first kind: the app's resolved answers, every value given (so
 * the kind's own defaults do not apply again), and `force` (a `--force` run into a folder with a
 * CRD of the same kind regenerates it).
 */
export function newProjectRequest(api: ApiSpec): ApiRequest {
  return { domain: api.domain, group: api.group, version: api.version, kind: api.kind, plural: api.plural, clusterScoped: !api.namespaced, force: true };
}

/** The CRD files of the project on disk (config/crd, without its kustomization.yaml), sorted. */
export function crdFilesOnDisk(files: ProjectFiles): string[] {
  const dir = join(files.root, 'config', 'crd');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'kustomization.yaml')
    .sort()
    .map((f) => `config/crd/${f}`);
}

/** The CRDs in config/crd on disk (as this run sees them), summarized. */
export function crdsOnDisk(files: ProjectFiles): Array<{ file: string; crd: CrdSummary }> {
  return crdFilesOnDisk(files).flatMap((file) => {
    const crd = summarizeCrd(files.read(file) ?? '', file);
    return crd === undefined ? [] : [{ file, crd }];
  });
}

/**
 * Validates the request against the rules and the project and decides the plan. A kind that
 * exists (same API group and kind) gets a new version, taking its plural and scope from the CRD
 * unless the request named them (then they must agree); anything else is a new kind, refused when
 * its CRD name or files are taken.
 * @throws ScaffoldError `InvalidArguments` (a missing group, version or kind; a plural or scope
 *   that disagrees with the existing kind), `KindExists`, or the rule an invalid value breaks.
 */
export function planApi(files: ProjectFiles, request: ApiRequest): { plan: ApiPlan; spec: ApiSpec } {
  const missing = (['group', 'version', 'kind'] as const).filter((f) => request[f] === undefined);
  if (missing.length > 0) {
    throw new ScaffoldError({ reason: 'InvalidArguments', message: `missing ${missing.map((f) => `--${f}`).join(', ')}` });
  }
  const given = apiSpec({
    domain: request.domain,
    group: request.group ?? '',
    version: request.version ?? '',
    kind: request.kind ?? '',
    plural: request.plural,
    clusterScoped: request.clusterScoped,
  });
  const crds = crdsOnDisk(files);
  const existing = crds.find(({ crd }) => crd.group === given.apiGroup && crd.kind === given.kind);
  if (existing !== undefined) {
    const { file, crd } = existing;
    if (request.plural !== undefined && crd.plural !== given.plural) {
      throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${given.kind} already exists in ${file} with plural ${JSON.stringify(crd.plural)}, not ${JSON.stringify(given.plural)}` });
    }
    const scope = given.namespaced ? 'Namespaced' : 'Cluster';
    if (request.clusterScoped !== undefined && crd.scope !== scope) {
      throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${given.kind} already exists in ${file} with scope ${crd.scope}; a new version cannot be ${scope} (scope is per CRD, not per version)` });
    }
    const spec = apiSpec({ ...given, plural: crd.plural, clusterScoped: crd.scope === 'Cluster' });
    if (crd.versions.some((v) => v.name === spec.version)) {
      if (!request.force) {
        throw new ScaffoldError({ reason: 'KindExists', message: `kind ${spec.kind} (${spec.apiGroup}/${spec.version}) already exists in ${file}; pass --force to regenerate its controller, test and sample (the CRD is kept)` });
      }
      return { plan: { mode: 'regenerate', crdFile: file, crd }, spec };
    }
    return { plan: { mode: 'new-version', crdFile: file, crd }, spec };
  }
  const taken = crds.find(({ crd }) => crd.name === given.crdName);
  if (taken !== undefined) {
    throw new ScaffoldError({ reason: 'KindExists', message: `plural ${JSON.stringify(given.plural)} of API group ${given.apiGroup} is already used by kind ${taken.crd.kind} (${taken.file}); choose another --plural or --kind` });
  }
  if (!request.force) {
    for (const file of [given.controllerFile, given.testFile]) {
      if (existsSync(join(files.root, file))) {
        throw new ScaffoldError({ reason: 'KindExists', message: `${file} already exists (a kind ${given.kind} of another group?); pass --force to overwrite it, or choose another --kind` });
      }
    }
  }
  return { plan: { mode: 'new-kind' }, spec: given };
}

/** Options of {@link writeApiFiles}. */
export interface WriteApiOptions {
  /** A new version becomes the storage version. */
  readonly storage: boolean;
  /** The project is being created in the same run (src/main.ts already registers the controller). */
  readonly newProject: boolean;
}

/** Applies `edit` to a project file; writes only when the text changed. */
function edit(files: ProjectFiles, file: string, change: (text: string, file: string) => string): void {
  const text = files.read(file);
  if (text === undefined) throw new ScaffoldError({ reason: 'NotAProject', message: `${file} is missing; is this an Opkit project?` });
  const next = change(text, file);
  if (next !== text) files.write(file, next);
}

/** Writes every file of the plan into `files`, then regenerates src/api/ from every CRD of config/crd. */
export async function writeApiFiles(files: ProjectFiles, spec: ApiSpec, plan: ApiPlan, options: WriteApiOptions): Promise<void> {
  const templates = templatesDir('api');
  const data = { ...spec };
  const render = (from: string, to: string): void => files.write(to, renderTemplateFile(templates, from, data));
  if (plan.mode === 'new-kind') {
    render('crd.yaml.ejs', spec.crdFile);
    edit(files, 'config/crd/kustomization.yaml', (text, file) => addKustomizeResource(text, spec.crdFile.slice('config/crd/'.length), file));
  } else if (plan.mode === 'new-version') {
    edit(files, plan.crdFile, (text, file) => addCrdVersion(text, spec.version, options.storage, file));
  }
  if (plan.mode !== 'new-version') {
    render('controller.ts.ejs', spec.controllerFile);
    render('controller.test.ts.ejs', spec.testFile);
  }
  render('sample.yaml.ejs', spec.sampleFile);
  edit(files, 'config/samples/kustomization.yaml', (text, file) => addKustomizeResource(text, spec.sampleFile.slice('config/samples/'.length), file));
  writeTypes(files, spec);
  if (!options.newProject && plan.mode !== 'new-version') {
    const main = files.read('src/main.ts');
    if (main === undefined) throw new ScaffoldError({ reason: 'MainNotUnderstood', message: 'src/main.ts does not exist; nothing was written' });
    const edited = await registerController(main, { functionName: spec.registerFunction, importPath: spec.controllerImportFromSrc });
    if (edited !== main) files.write('src/main.ts', edited);
  }
}

/** Regenerates src/api/ from every CRD in config/crd (as this run sees them). */
function writeTypes(files: ProjectFiles, spec: ApiSpec): void {
  const crds = new Map<string, string>();
  for (const file of new Set([...crdFilesOnDisk(files), spec.crdFile])) {
    const text = files.read(file);
    if (text !== undefined) crds.set(file, text);
  }
  for (const [file, content] of generateProjectTypes(crds)) {
    if (files.read(file) !== content) files.write(file, content);
  }
}

/**
 * What the controller that templates/api/controller.ts.ejs renders needs, as `opkit generate rbac`
 * derives it from that code: `for(Kind)` reads and watches the kind, `ctx.client.status.update`
 * updates its status (the runtime's own permissions are added by the renderer). The generator test
 * runs `opkit generate rbac --check` on a new project to prove the two agree.
 */
function templateControllerPermissions(spec: ApiSpec): Permission[] {
  const source = { what: `the ${spec.kind} controller of a new project` };
  return [
    { group: spec.apiGroup, resource: spec.plural, verbs: ['get', 'list', 'watch'], source },
    { group: spec.apiGroup, resource: `${spec.plural}/status`, verbs: ['update'], source },
  ];
}

/**
 * Writes config/rbac/role.yaml, role_binding.yaml and leader_election_role.yaml of a new project:
 * what `opkit generate rbac` writes for it (its main.ts gives the manager no namespace: a
 * ClusterRole), without analysing its code (that loads a TypeScript compiler, about a second).
 */
export function writeNewProjectRbac(files: ProjectFiles, spec: ApiSpec): void {
  const { files: rbac } = renderRbacFiles({ permissions: templateControllerPermissions(spec), scope: [] });
  for (const [name, text] of rbac) files.write(`config/rbac/${name}`, text);
}
