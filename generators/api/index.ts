/**
 * The `api` generator (`opkit create api`): adds one kind, or one version of an existing kind, to
 * a project: CRD, types, controller (registered in src/main.ts), sample and test.
 *
 * The project is read in `initializing`, missing values are asked in `prompting` (interactive runs
 * only), everything is validated in `configuring` and rendered into mem-fs in `writing`; yeoman
 * commits to disk only after every task succeeded, so a failure writes nothing.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaseOptions } from 'yeoman-generator';
import { APP_DEFAULTS } from '../shared/answers.js';
import { apiSpec, type ApiSpec } from '../shared/api-spec.js';
import { OpkitGenerator } from '../shared/base.js';
import { ScaffoldError } from '../shared/errors.js';
import { registerController } from '../shared/main-edit.js';
import { CodegenError } from '../../codegen/errors.js';
import { addCrdVersion, addKustomizeResource, summarizeCrd, type CrdSummary } from '../shared/manifests.js';
import { templatesDir } from '../shared/paths.js';
import { readProjectConfig } from '../shared/project.js';
import { defaultGroup, pluralize } from '../shared/names.js';
import { generateProjectTypes } from '../shared/types.js';
import { apiGroupOf, checkGroup, checkGroupOfDomain, checkKind, checkPlural, checkVersion, groupWithinDomain } from '../shared/validate.js';

/** opkit generate rbac, loaded when used (it loads ts-morph, a TypeScript compiler). */
const rbac = async () => import('../../codegen/rbac/generate-rbac.js');

/** The file of this generator (yeoman registers generators by path). */
export const API_GENERATOR_PATH: string = fileURLToPath(import.meta.url);

/** The values {@link ApiGenerator} takes (besides yeoman's own options). */
export interface ApiInputs {
  /** Project folder (absolute). Default: the environment's cwd. */
  readonly destinationRoot?: string;
  /** Domain of the API group; default: the project's (package.json `opkit.domain`). */
  readonly domain?: string | undefined;
  /** The group before the domain (one ending with the domain is the whole API group). Asked when missing in interactive runs; required otherwise. */
  readonly group?: string | undefined;
  /** Asked when missing in interactive runs; required otherwise. */
  readonly version?: string | undefined;
  /** Asked when missing in interactive runs; required otherwise. */
  readonly kind?: string | undefined;
  /** Default: the English plural of the kind. */
  readonly plural?: string | undefined;
  readonly clusterScoped?: boolean | undefined;
  /** When adding a version of an existing kind: make it the storage version. Default false. */
  readonly storage?: boolean | undefined;
  /** Regenerate the controller, test and sample of a kind and version that exist. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Composed by the app generator: the project is being created in the same run. */
  readonly newProject?: boolean | undefined;
  /** Ask for the values no option gave, and confirm a summary before writing. Default false. */
  readonly interactive?: boolean | undefined;
  /** Called with the validated spec before anything is rendered. */
  readonly onResolved?: ((spec: ApiSpec) => void) | undefined;
}

/** The values given for the API, by options or prompts. */
interface GivenApi {
  group?: string | undefined;
  version?: string | undefined;
  kind?: string | undefined;
  plural?: string | undefined;
  clusterScoped?: boolean | undefined;
}

/** Options of {@link ApiGenerator}: yeoman's and {@link ApiInputs}. */
export type ApiGeneratorOptions = BaseOptions & ApiInputs;

/** What the run does, decided in `configuring` from the project's CRDs. */
type Plan =
  | { readonly mode: 'new-kind' }
  | { readonly mode: 'new-version'; readonly crdFile: string; readonly crd: CrdSummary }
  | { readonly mode: 'regenerate'; readonly crdFile: string; readonly crd: CrdSummary };

/** Adds a kind (or a version of a kind) to an Opkit project. */
export class ApiGenerator extends OpkitGenerator<ApiGeneratorOptions> {
  #spec: ApiSpec | undefined;
  #plan: Plan = { mode: 'new-kind' };
  #given: GivenApi = {};
  #domain = '';
  #projectName = '';

  constructor(args: string[], options: ApiGeneratorOptions) {
    super(args, options, { customInstallTask: options.newProject !== true });
    this.sourceRoot(templatesDir('api'));
  }

  /** The spec of the API this run adds (after `configuring`). */
  #requireSpec(): ApiSpec {
    if (this.#spec === undefined) throw new Error('ApiGenerator: spec is read before configuring');
    return this.#spec;
  }

  /** Reads the project (refusing a folder that is not one, before any prompt). Writes nothing. */
  initializing(): void {
    const options = this.options;
    this.#given = { group: options.group, version: options.version, kind: options.kind, plural: options.plural, clusterScoped: options.clusterScoped };
    if (options.newProject !== true) {
      const project = readProjectConfig(this.destinationRoot());
      this.#domain = options.domain ?? project.domain;
      this.#projectName = project.name;
    } else {
      this.#domain = options.domain ?? 'example.com';
    }
  }

  /**
   * Asks, in interactive runs, for each value no option gave: group, version and kind, then, for
   * a kind the project does not have yet, its plural and scope (an existing kind keeps its own).
   */
  async prompting(): Promise<void> {
    if (this.options.interactive !== true || this.options.newProject === true) return;
    const given = this.#given;
    const domain = this.#domain;
    given.group ??= await this.askValue({
      name: 'group',
      message: `API group (<group>.${domain})`,
      fallback: this.#defaultGroup(),
      check: (v) => checkGroup(v) ?? checkGroupOfDomain(v, domain),
      reason: 'InvalidGroup',
    });
    given.version ??= await this.askValue({ name: 'version', message: 'API version', fallback: APP_DEFAULTS.version, check: checkVersion, reason: 'InvalidVersion' });
    given.kind ??= await this.askValue({ name: 'kind', message: 'Kind (PascalCase)', check: checkKind, reason: 'InvalidKind' });
    const kind = given.kind;
    const apiGroup = apiGroupOf(groupWithinDomain(given.group, domain), domain);
    if (this.#crdsOnDisk().some(({ crd }) => crd.group === apiGroup && crd.kind === kind)) return;
    given.plural ??= await this.askValue({ name: 'plural', message: 'Plural (lower case, used in URLs)', fallback: pluralize(kind), check: checkPlural, reason: 'InvalidPlural' });
    given.clusterScoped ??= await this.askYesNo('clusterScoped', `Is ${kind} cluster-scoped?`, false);
  }

  /** The group offered at the prompt: that of the project's first kind in its domain, else one from the project name. */
  #defaultGroup(): string {
    const suffix = `.${this.#domain}`;
    const own = this.#crdsOnDisk().find(({ crd }) => this.#domain !== '' && crd.group.endsWith(suffix));
    return own !== undefined ? own.crd.group.slice(0, -suffix.length) : defaultGroup(this.#projectName);
  }

  /**
   * Validates the input against the rules and the project, and checks that the project's RBAC
   * generates; decides the plan. Writes nothing.
   */
  async configuring(): Promise<void> {
    const given = this.#given;
    const missing = (['group', 'version', 'kind'] as const).filter((f) => given[f] === undefined);
    if (missing.length > 0) {
      throw new ScaffoldError({ reason: 'InvalidArguments', message: `missing ${missing.map((f) => `--${f}`).join(', ')}` });
    }
    const spec = apiSpec({
      domain: this.#domain,
      group: given.group ?? '',
      version: given.version ?? '',
      kind: given.kind ?? '',
      plural: given.plural,
      clusterScoped: given.clusterScoped,
    });
    const decided = this.#decide(spec);
    this.#spec = decided.spec;
    this.#plan = decided.plan;
    await this.#checkRbac();
    this.options.onResolved?.(decided.spec);
  }

  /** The CRDs in config/crd on disk, summarized. */
  #crdsOnDisk(): Array<{ file: string; crd: CrdSummary }> {
    return this.#crdFilesOnDisk().flatMap((file) => {
      const crd = summarizeCrd(this.readFile(file) ?? '', file);
      return crd === undefined ? [] : [{ file, crd }];
    });
  }

  /** The project's RBAC must generate before anything is written (a bad @rbac marker fails here). */
  async #checkRbac(): Promise<void> {
    if (this.options.newProject === true) return;
    try {
      const { generateRbac } = await rbac();
      await generateRbac({ cwd: this.destinationRoot(), check: true });
    } catch (cause) {
      if (!(cause instanceof CodegenError)) throw cause;
      throw new ScaffoldError({ reason: 'RbacFailed', message: `${cause.message}; fix it (opkit generate rbac shows the same error), then run opkit create api again. Nothing was written`, cause });
    }
  }

  /** After the files are on disk: config/rbac follows the new controller (opkit generate rbac). */
  async end(): Promise<void> {
    const { generateRbac } = await rbac();
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
    const crds = this.#crdsOnDisk();
    const existing = crds.find(({ crd }) => crd.group === given.apiGroup && crd.kind === given.kind);
    if (existing !== undefined) {
      const { file, crd } = existing;
      if (this.#given.plural !== undefined && crd.plural !== given.plural) {
        throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${given.kind} already exists in ${file} with plural ${JSON.stringify(crd.plural)}, not ${JSON.stringify(given.plural)}` });
      }
      const scope = given.namespaced ? 'Namespaced' : 'Cluster';
      if (this.#given.clusterScoped !== undefined && crd.scope !== scope) {
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

  /** In interactive runs: shows what will be written and asks to go on (before the commit). */
  async conflicts(): Promise<void> {
    if (this.options.interactive !== true || this.options.newProject === true) return;
    const spec = this.#requireSpec();
    const what = { 'new-kind': 'a new kind', 'new-version': 'a new version of an existing kind', regenerate: 'regenerate the controller, test and sample' }[this.#plan.mode];
    await this.confirmWrite(`Add ${spec.kind} to ${this.destinationRoot()}:`, [
      ['kind', `${spec.kind} (${spec.apiGroup}/${spec.version}, plural ${spec.plural}, ${spec.namespaced ? 'namespaced' : 'cluster-scoped'})`],
      ['change', what],
    ]);
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
