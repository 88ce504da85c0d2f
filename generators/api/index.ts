/**
 * The `api` generator (`opkit create api`): adds one kind, or one version of an existing kind, to
 * a project: CRD, types, controller (registered in src/main.ts), sample and test.
 *
 * The project is read in `initializing`, missing values are asked in `prompting` (interactive runs
 * only), everything is validated in `configuring` and rendered into mem-fs in `writing`; yeoman
 * commits to disk only after every task succeeded, so a failure writes nothing.
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { BaseOptions } from 'yeoman-generator';
import { APP_DEFAULTS } from '../shared/answers.js';
import type { ApiSpec } from '../shared/api-spec.js';
import { OpkitGenerator } from '../shared/base.js';
import { ScaffoldError } from '../shared/errors.js';
import { CodegenError } from '../../codegen/errors.js';
import { defaultGroup, pluralize } from '../shared/names.js';
import { readProjectConfig } from '../shared/project.js';
import { checkGroup, checkGroupOfDomain, checkKind, checkPlural, checkVersion, apiGroupOf, groupWithinDomain } from '../shared/validate.js';
import { crdsOnDisk, planApi, writeApiFiles, writeNewProjectRbac, type ApiPlan } from './files.js';

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
  /**
   * When adding a version of an existing kind: also scaffold its conversion webhook (what `opkit
   * create webhook --conversion` writes; the CRD gets `conversion.strategy: Webhook`). Asked in
   * interactive runs when not given; default false.
   */
  readonly conversion?: boolean | undefined;
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

/** Adds a kind (or a version of a kind) to an Opkit project. */
export class ApiGenerator extends OpkitGenerator<ApiGeneratorOptions> {
  #spec: ApiSpec | undefined;
  #plan: ApiPlan = { mode: 'new-kind' };
  #given: GivenApi = {};
  #domain = '';
  #projectName = '';
  #conversion: boolean | undefined;

  constructor(args: string[], options: ApiGeneratorOptions) {
    super(args, options, { customInstallTask: options.newProject !== true });
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
    const existing = crdsOnDisk(this.projectFiles()).find(({ crd }) => crd.group === apiGroup && crd.kind === kind);
    if (existing !== undefined) {
      const version = given.version;
      if (this.options.conversion === undefined && !existing.crd.versions.some((v) => v.name === version)) {
        this.#conversion = await this.askYesNo('conversion', `Scaffold a conversion webhook between ${[...existing.crd.versions.map((v) => v.name), version].join(', ')} of ${kind}?`, true);
      }
      return;
    }
    given.plural ??= await this.askValue({ name: 'plural', message: 'Plural (lower case, used in URLs)', fallback: pluralize(kind), check: checkPlural, reason: 'InvalidPlural' });
    given.clusterScoped ??= await this.askYesNo('clusterScoped', `Is ${kind} cluster-scoped?`, false);
  }

  /** The group offered at the prompt: that of the project's first kind in its domain, else one from the project name. */
  #defaultGroup(): string {
    const suffix = `.${this.#domain}`;
    const own = crdsOnDisk(this.projectFiles()).find(({ crd }) => this.#domain !== '' && crd.group.endsWith(suffix));
    return own !== undefined ? own.crd.group.slice(0, -suffix.length) : defaultGroup(this.#projectName);
  }

  /**
   * Validates the input against the rules and the project, and checks that the project's RBAC
   * generates; decides the plan. Writes nothing.
   */
  async configuring(): Promise<void> {
    const decided = planApi(this.projectFiles(), { domain: this.#domain, ...this.#given, force: this.options.overwrite === true });
    this.#spec = decided.spec;
    this.#plan = decided.plan;
    await this.#checkRbac();
    await this.#composeConversion(decided.spec, decided.plan);
    this.options.onResolved?.(decided.spec);
  }

  /** A new version with conversion asked for: the webhook generator scaffolds it after this one wrote the CRD. */
  async #composeConversion(spec: ApiSpec, plan: ApiPlan): Promise<void> {
    const conversion = this.options.conversion ?? this.#conversion ?? false;
    if (!conversion) return;
    if (plan.mode !== 'new-version') {
      throw new ScaffoldError({ reason: 'InvalidArguments', message: `--conversion scaffolds the conversion of a new version of an existing kind; ${spec.kind} ${spec.version} is ${plan.mode === 'new-kind' ? 'a new kind' : 'already in the CRD'} (for an existing version: opkit create webhook --kind ${spec.kind} --conversion)` });
    }
    // loaded only here: create-operator and plain create api runs do not pay for it
    const { WebhookGenerator, WEBHOOK_GENERATOR_PATH } = await import('../webhook/index.js');
    await this.composeWith<InstanceType<typeof WebhookGenerator>>(
      { Generator: WebhookGenerator, path: WEBHOOK_GENERATOR_PATH },
      { destinationRoot: this.destinationRoot(), kind: spec.kind, group: spec.apiGroup, conversion: true, pendingVersion: { name: spec.version, storage: this.options.storage === true }, overwrite: this.options.overwrite === true },
    );
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

  /**
   * After the files are on disk: config/rbac follows the new controller (opkit generate rbac). A
   * new project's RBAC was written with its files (writeNewProjectRbac).
   */
  async end(): Promise<void> {
    if (this.options.newProject === true) return;
    const { generateRbac } = await rbac();
    await generateRbac({ cwd: this.destinationRoot() });
  }

  /** Renders every file into mem-fs (generators/api/files.ts); a new project's RBAC too. */
  async writing(): Promise<void> {
    const spec = this.#requireSpec();
    const newProject = this.options.newProject === true;
    await writeApiFiles(this.projectFiles(), spec, this.#plan, { storage: this.options.storage === true, newProject });
    if (newProject) writeNewProjectRbac(this.projectFiles(), spec);
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
}

export default ApiGenerator;
