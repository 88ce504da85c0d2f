/**
 * The `api` generator (`opkit create api`): adds one kind, or one version of an existing kind, to
 * a project: CRD, types, controller (registered in src/main.ts), sample and test.
 *
 * Everything is validated in `initializing` and rendered into mem-fs in `writing`; yeoman commits
 * to disk only after every task succeeded, so a failure writes nothing.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaseOptions } from 'yeoman-generator';
import { apiSpec, type ApiSpec } from '../shared/api-spec.js';
import { OpkitGenerator } from '../shared/base.js';
import { ScaffoldError } from '../shared/errors.js';
import { registerController } from '../shared/main-edit.js';
import { generateRbac } from '../../codegen/rbac/generate-rbac.js';
import { CodegenError } from '../../codegen/errors.js';
import { addCrdVersion, addKustomizeResource, summarizeCrd, type CrdSummary } from '../shared/manifests.js';
import { templatesDir } from '../shared/paths.js';
import { readProjectConfig } from '../shared/project.js';
import { generateProjectTypes } from '../shared/types.js';

/** The file of this generator (yeoman registers generators by path). */
export const API_GENERATOR_PATH: string = fileURLToPath(import.meta.url);

/** The values {@link ApiGenerator} takes (besides yeoman's own options). */
export interface ApiInputs {
  /** Project folder (absolute). Default: the environment's cwd. */
  readonly destinationRoot?: string;
  /** Domain of the API group; default: the project's (package.json `opkit.domain`). */
  readonly domain?: string | undefined;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Default: the English plural of the kind. */
  readonly plural?: string | undefined;
  readonly clusterScoped?: boolean | undefined;
  /** When adding a version of an existing kind: make it the storage version. Default false. */
  readonly storage?: boolean | undefined;
  /** Regenerate the controller, test and sample of a kind and version that exist. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Composed by the app generator: the project is being created in the same run. */
  readonly newProject?: boolean | undefined;
}

/** Options of {@link ApiGenerator}: yeoman's and {@link ApiInputs}. */
export type ApiGeneratorOptions = BaseOptions & ApiInputs;

/** What the run does, decided in `initializing` from the project's CRDs. */
type Plan =
  | { readonly mode: 'new-kind' }
  | { readonly mode: 'new-version'; readonly crdFile: string; readonly crd: CrdSummary }
  | { readonly mode: 'regenerate'; readonly crdFile: string; readonly crd: CrdSummary };

/** Adds a kind (or a version of a kind) to an Opkit project. */
export class ApiGenerator extends OpkitGenerator<ApiGeneratorOptions> {
  #spec: ApiSpec | undefined;
  #plan: Plan = { mode: 'new-kind' };

  constructor(args: string[], options: ApiGeneratorOptions) {
    super(args, options, { customInstallTask: options.newProject !== true });
    this.sourceRoot(templatesDir('api'));
  }

  /** The spec of the API this run adds (after `initializing`). */
  #requireSpec(): ApiSpec {
    if (this.#spec === undefined) throw new Error('ApiGenerator: spec is read before initializing');
    return this.#spec;
  }

  /** Validates the input against the rules and the project; decides the plan. Writes nothing. */
  initializing(): void {
    const options = this.options;
    let domain = options.domain;
    if (options.newProject !== true) {
      const project = readProjectConfig(this.destinationRoot());
      domain ??= project.domain;
    }
    const spec = apiSpec({
      domain: domain ?? 'example.com',
      group: options.group,
      version: options.version,
      kind: options.kind,
      plural: options.plural,
      clusterScoped: options.clusterScoped,
    });
    const decided = this.#decide(spec);
    this.#spec = decided.spec;
    this.#plan = decided.plan;
  }

  /** The project's RBAC must generate before anything is written (a bad @rbac marker fails here). */
  async configuring(): Promise<void> {
    if (this.options.newProject === true) return;
    try {
      await generateRbac({ cwd: this.destinationRoot(), check: true });
    } catch (cause) {
      if (!(cause instanceof CodegenError)) throw cause;
      throw new ScaffoldError({ reason: 'RbacFailed', message: `${cause.message}; fix it (opkit generate rbac shows the same error), then run opkit create api again. Nothing was written`, cause });
    }
  }

  /** After the files are on disk: config/rbac follows the new controller (opkit generate rbac). */
  async end(): Promise<void> {
    await generateRbac({ cwd: this.destinationRoot() });
  }

  #crdFilesOnDisk(): string[] {
    const dir = this.destinationPath('config/crd');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'kustomization.yaml')
      .sort()
      .map((f) => `config/crd/${f}`);
  }

  /**
   * Decides what to do from the project's CRDs. A kind that exists (same API group and kind) gets
   * a new version, taking its plural and scope from the CRD unless the flags named them
   * (then they must agree); anything else is a new kind, refused when its CRD name or files are
   * taken.
   */
  #decide(given: ApiSpec): { plan: Plan; spec: ApiSpec } {
    const force = this.options.overwrite === true;
    const crds = this.#crdFilesOnDisk().flatMap((file) => {
      const crd = summarizeCrd(this.readFile(file) ?? '', file);
      return crd === undefined ? [] : [{ file, crd }];
    });
    const existing = crds.find(({ crd }) => crd.group === given.apiGroup && crd.kind === given.kind);
    if (existing !== undefined) {
      const { file, crd } = existing;
      if (this.options.plural !== undefined && crd.plural !== given.plural) {
        throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${given.kind} already exists in ${file} with plural ${JSON.stringify(crd.plural)}, not ${JSON.stringify(given.plural)}` });
      }
      const scope = given.namespaced ? 'Namespaced' : 'Cluster';
      if (this.options.clusterScoped !== undefined && crd.scope !== scope) {
        throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${given.kind} already exists in ${file} with scope ${crd.scope}; a new version cannot be ${scope} (scope is per CRD, not per version)` });
      }
      const spec = apiSpec({ ...given, plural: crd.plural, clusterScoped: crd.scope === 'Cluster' });
      if (crd.versions.some((v) => v.name === spec.version)) {
        if (!force) {
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
    if (!force) {
      for (const file of [given.controllerFile, given.testFile]) {
        if (existsSync(this.destinationPath(file))) {
          throw new ScaffoldError({ reason: 'KindExists', message: `${file} already exists (a kind ${given.kind} of another group?); pass --force to overwrite it, or choose another --kind` });
        }
      }
    }
    return { plan: { mode: 'new-kind' }, spec: given };
  }

  /** Renders every file into mem-fs. */
  async writing(): Promise<void> {
    const spec = this.#requireSpec();
    const plan = this.#plan;
    const data = { ...spec };
    if (plan.mode === 'new-kind') {
      this.renderTemplate('crd.yaml.ejs', spec.crdFile, data);
      this.#edit('config/crd/kustomization.yaml', (text, file) => addKustomizeResource(text, spec.crdFile.slice('config/crd/'.length), file));
    } else if (plan.mode === 'new-version') {
      this.#edit(plan.crdFile, (text, file) => addCrdVersion(text, spec.version, this.options.storage === true, file));
    }
    if (plan.mode !== 'new-version') {
      this.renderTemplate('controller.ts.ejs', spec.controllerFile, data);
      this.renderTemplate('controller.test.ts.ejs', spec.testFile, data);
    }
    this.renderTemplate('sample.yaml.ejs', spec.sampleFile, data);
    this.#edit('config/samples/kustomization.yaml', (text, file) => addKustomizeResource(text, spec.sampleFile.slice('config/samples/'.length), file));
    this.#writeTypes();
    if (this.options.newProject !== true && plan.mode !== 'new-version') {
      const main = this.readFile('src/main.ts');
      if (main === undefined) throw new ScaffoldError({ reason: 'MainNotUnderstood', message: 'src/main.ts does not exist; nothing was written' });
      const edited = await registerController(main, { functionName: spec.registerFunction, importPath: spec.controllerImportFromSrc });
      if (edited !== main) this.fs.write(this.destinationPath('src/main.ts'), edited);
    }
  }

  /** Applies `edit` to a project file in mem-fs; writes only when the text changed. */
  #edit(file: string, edit: (text: string, file: string) => string): void {
    const path = this.destinationPath(file);
    const text = this.readFile(file);
    if (text === undefined) throw new ScaffoldError({ reason: 'NotAProject', message: `${file} is missing; is this an Opkit project?` });
    const next = edit(text, file);
    if (next !== text) this.fs.write(path, next);
  }

  /** Regenerates src/api/ from every CRD in config/crd (as they are in mem-fs). */
  #writeTypes(): void {
    const files = new Map<string, string>();
    for (const file of new Set([...this.#crdFilesOnDisk(), this.#requireSpec().crdFile])) {
      const text = this.readFile(file);
      if (text !== undefined) files.set(file, text);
    }
    for (const [file, content] of generateProjectTypes(files)) {
      if (this.readFile(file) !== content) this.fs.write(this.destinationPath(file), content);
    }
  }
}

export default ApiGenerator;
