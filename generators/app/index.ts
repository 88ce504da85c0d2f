/**
 * The `app` generator (`create-operator`): a complete operator project with one custom kind.
 * Prompts (interactive runs only) for every value that no option gave; composes the `api`
 * generator for the kind. Validation happens before rendering, rendering happens in mem-fs, and
 * yeoman commits to disk only when every task succeeded.
 * @module
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaseOptions } from 'yeoman-generator';
import { API_GENERATOR_PATH, ApiGenerator, type ApiInputs } from '../api/index.js';
import { APP_DEFAULTS, resolveAppAnswers, type AppAnswers, type GivenValues } from '../shared/answers.js';
import { OpkitGenerator } from '../shared/base.js';
import { defaultGroup, defaultKind, pluralize, toPackageName } from '../shared/names.js';
import { opkitDependencies, type OpkitDependencies } from '../shared/paths.js';
import { assertTargetUsable, targetProblem } from '../shared/target.js';
import { assertGivenValid, checkDomain, checkGroup, checkGroupOfDomain, checkKind, checkPlural, checkProjectName, checkVersion } from '../shared/validate.js';
import { newProjectRequest } from '../api/files.js';
import { writeAppFiles } from './files.js';

/** The file of this generator (yeoman registers generators by path). */
export const APP_GENERATOR_PATH: string = fileURLToPath(import.meta.url);

/** The values {@link AppGenerator} takes; every one has a default (see {@link resolveAppAnswers}). */
export interface AppInputs {
  /** Target folder, relative to the environment's cwd. Default `my-operator`. */
  readonly directory?: string | undefined;
  /** Package name. Default: the folder's base name as an npm name. */
  readonly projectName?: string | undefined;
  readonly domain?: string | undefined;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly kind?: string | undefined;
  readonly plural?: string | undefined;
  readonly clusterScoped?: boolean | undefined;
  /** Write into a non-empty folder. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Ask for the values no option gave. Default false (all defaults). */
  readonly interactive?: boolean | undefined;
  /** Dependency specs of the project. Default: {@link opkitDependencies}. */
  readonly dependencies?: OpkitDependencies | undefined;
  /** Called with the resolved answers before anything is rendered. */
  readonly onResolved?: ((answers: AppAnswers) => void) | undefined;
}

/** Options of {@link AppGenerator}: yeoman's and {@link AppInputs}. */
export type AppGeneratorOptions = BaseOptions & AppInputs;

/** Creates an operator project. */
export class AppGenerator extends OpkitGenerator<AppGeneratorOptions> {
  #given: GivenValues = {};
  #answers: AppAnswers | undefined;

  constructor(args: string[], options: AppGeneratorOptions) {
    super(args, options);
  }

  /** Collects the values the options gave. */
  initializing(): void {
    const o = this.options;
    this.#given = {
      directory: o.directory,
      projectName: o.projectName,
      domain: o.domain,
      group: o.group,
      version: o.version,
      kind: o.kind,
      plural: o.plural,
      clusterScoped: o.clusterScoped,
    };
  }

  /**
   * Asks, in interactive runs, for each value no option gave (every prompt has a flag). The
   * folder comes first and is checked at once (a non-empty one is refused before anything else is
   * asked); the package name is asked only when the folder's name gives no valid one.
   */
  async prompting(): Promise<void> {
    if (this.options.interactive !== true) return;
    const given = this.#given;
    const cwd = this.env.cwd;
    const overwrite = this.options.overwrite === true;
    given.directory ??= await this.askValue({
      name: 'directory',
      message: 'Project folder',
      fallback: APP_DEFAULTS.directory,
      check: (v) => (v.length === 0 ? 'the folder name must not be empty' : targetProblem(resolve(cwd, v), overwrite)),
      reason: 'TargetNotEmpty',
    });
    assertTargetUsable(resolve(cwd, given.directory), overwrite);
    if (given.projectName === undefined) {
      const folder = basename(resolve(cwd, given.directory));
      const derived = toPackageName(folder);
      if (checkProjectName(derived) !== undefined) {
        given.projectName = await this.askValue({ name: 'projectName', message: `Package name (the folder name ${JSON.stringify(folder)} gives none)`, check: checkProjectName, reason: 'InvalidProjectName' });
      }
    }
    const name = given.projectName ?? toPackageName(basename(resolve(cwd, given.directory)));
    given.domain ??= await this.askValue({ name: 'domain', message: 'Domain of your API groups', fallback: APP_DEFAULTS.domain, check: checkDomain, reason: 'InvalidDomain' });
    const domain = given.domain;
    // A --group flag that is the domain itself is refused now, not after the remaining prompts.
    if (given.group !== undefined) assertGivenValid(given.group, (g) => checkGroupOfDomain(g, domain), 'InvalidGroup');
    given.group ??= await this.askValue({
      name: 'group',
      message: `API group (<group>.${domain})`,
      fallback: defaultGroup(name),
      check: (v) => checkGroup(v) ?? checkGroupOfDomain(v, domain),
      reason: 'InvalidGroup',
    });
    given.version ??= await this.askValue({ name: 'version', message: 'API version', fallback: APP_DEFAULTS.version, check: checkVersion, reason: 'InvalidVersion' });
    given.kind ??= await this.askValue({ name: 'kind', message: 'Kind (PascalCase)', fallback: defaultKind(name), check: checkKind, reason: 'InvalidKind' });
    const kind = given.kind;
    given.plural ??= await this.askValue({ name: 'plural', message: 'Plural (lower case, used in URLs)', fallback: pluralize(kind), check: checkPlural, reason: 'InvalidPlural' });
    given.clusterScoped ??= await this.askYesNo('clusterScoped', `Is ${kind} cluster-scoped?`, false);
  }

  /** Validates every value and the target folder; composes the api generator. Writes nothing. */
  async configuring(): Promise<void> {
    const answers = resolveAppAnswers(this.#given, this.env.cwd);
    assertTargetUsable(answers.directory, this.options.overwrite === true);
    this.#answers = answers;
    this.destinationRoot(answers.directory);
    this.options.onResolved?.(answers);
    const { force, ...request } = newProjectRequest(answers.api);
    const apiOptions: ApiInputs = { destinationRoot: answers.directory, ...request, overwrite: force, newProject: true };
    await this.composeWith<ApiGenerator>({ Generator: ApiGenerator, path: API_GENERATOR_PATH }, apiOptions);
  }

  /** Renders the project files into mem-fs (generators/app/files.ts; the api generator adds the kind's). */
  writing(): void {
    const answers = this.#answers;
    if (answers === undefined) throw new Error('AppGenerator: writing before configuring');
    writeAppFiles(this.projectFiles(), answers, this.options.dependencies ?? opkitDependencies());
  }

  /** In interactive runs: shows what will be written and asks to go on (before the commit). */
  async conflicts(): Promise<void> {
    const answers = this.#answers;
    if (this.options.interactive !== true || answers === undefined) return;
    const { api } = answers;
    await this.confirmWrite(`Create ${answers.projectName} in ${answers.directory}:`, [
      ['package', answers.projectName],
      ['kind', `${api.kind} (${api.apiGroup}/${api.version}, plural ${api.plural}, ${api.namespaced ? 'namespaced' : 'cluster-scoped'})`],
    ]);
  }
}

export default AppGenerator;
