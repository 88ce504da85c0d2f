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
import { defaultGroup, defaultKind, pluralize, projectStem, toPackageName } from '../shared/names.js';
import { opkitDependencies, templatesDir, type OpkitDependencies } from '../shared/paths.js';
import { assertTargetUsable } from '../shared/target.js';
import { checkDomain, checkGroup, checkKind, checkPlural, checkVersion } from '../shared/validate.js';
import { projectPackageJson } from './package-json.js';

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

/** Turns a check (`undefined` or a message) into an inquirer `validate`. */
function validator(check: (value: string) => string | undefined | { message: string }): (value: string) => true | string {
  return (value) => {
    const problem = check(value.trim());
    return problem === undefined ? true : typeof problem === 'string' ? problem : problem.message;
  };
}

/** Creates an operator project. */
export class AppGenerator extends OpkitGenerator<AppGeneratorOptions> {
  #given: GivenValues = {};
  #answers: AppAnswers | undefined;

  constructor(args: string[], options: AppGeneratorOptions) {
    super(args, options);
    this.sourceRoot(templatesDir('app'));
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

  /** Asks, in interactive runs, for each value no option gave (every prompt has a flag). */
  async prompting(): Promise<void> {
    if (this.options.interactive !== true) return;
    const given = this.#given;
    const ask = async (name: string, message: string, fallback: string, check: (v: string) => string | undefined | { message: string }): Promise<string> => {
      const answers = await this.prompt<Record<string, string>>([{ type: 'input', name, message, default: fallback, validate: validator(check) }]);
      return String(answers[name] ?? fallback).trim();
    };
    given.directory ??= await ask('directory', 'Project folder', APP_DEFAULTS.directory, (v) => (v.length === 0 ? 'the folder name must not be empty' : undefined));
    const name = given.projectName ?? toPackageName(basename(resolve(this.env.cwd, given.directory)));
    given.domain ??= await ask('domain', 'Domain of your API groups', APP_DEFAULTS.domain, checkDomain);
    given.group ??= await ask('group', `API group (<group>.${given.domain})`, defaultGroup(name), checkGroup);
    given.version ??= await ask('version', 'API version', APP_DEFAULTS.version, checkVersion);
    given.kind ??= await ask('kind', 'Kind (PascalCase)', defaultKind(name), checkKind);
    const kind = given.kind;
    given.plural ??= await ask('plural', 'Plural (lower case, used in URLs)', pluralize(kind), checkPlural);
    if (given.clusterScoped === undefined) {
      const answers = await this.prompt<{ clusterScoped: boolean }>([{ type: 'confirm', name: 'clusterScoped', message: `Is ${kind} cluster-scoped?`, default: false }]);
      given.clusterScoped = answers.clusterScoped;
    }
  }

  /** Validates every value and the target folder; composes the api generator. Writes nothing. */
  async configuring(): Promise<void> {
    const answers = resolveAppAnswers(this.#given, this.env.cwd);
    assertTargetUsable(answers.directory, this.options.overwrite === true);
    this.#answers = answers;
    this.destinationRoot(answers.directory);
    this.options.onResolved?.(answers);
    const api = answers.api;
    const apiOptions: ApiInputs = {
      destinationRoot: answers.directory,
      domain: api.domain,
      group: api.group,
      version: api.version,
      kind: api.kind,
      plural: api.plural,
      clusterScoped: !api.namespaced,
      overwrite: true,
      newProject: true,
    };
    await this.composeWith<ApiGenerator>({ Generator: ApiGenerator, path: API_GENERATOR_PATH }, apiOptions);
  }

  /** Renders the project files into mem-fs (the api generator adds the kind's). */
  writing(): void {
    const answers = this.#answers;
    if (answers === undefined) throw new Error('AppGenerator: writing before configuring');
    const deps = this.options.dependencies ?? opkitDependencies();
    const api = answers.api;
    const data = { ...api, projectName: answers.projectName, projectStem: projectStem(answers.projectName), fromCheckout: deps.mode === 'checkout' };
    const pkg = projectPackageJson({
      name: answers.projectName,
      description: `A Kubernetes operator for ${api.kind} (${api.apiGroup})`,
      domain: api.domain,
      deps,
    });
    this.fs.writeJSON(this.destinationPath('package.json'), pkg);
    const files: ReadonlyArray<readonly [string, string]> = [
      ['tsconfig.json', 'tsconfig.json'],
      ['vitest.config.ts', 'vitest.config.ts'],
      ['gitignore', '.gitignore'],
      ['dockerignore', '.dockerignore'],
      ['Dockerfile.ejs', 'Dockerfile'],
      ['README.md.ejs', 'README.md'],
      ['src/main.ts.ejs', 'src/main.ts'],
      ['config/default/kustomization.yaml.ejs', 'config/default/kustomization.yaml'],
      ['config/manager/manager.yaml.ejs', 'config/manager/manager.yaml'],
      ['config/manager/kustomization.yaml.ejs', 'config/manager/kustomization.yaml'],
      ['config/rbac/kustomization.yaml', 'config/rbac/kustomization.yaml'],
      ['config/rbac/service_account.yaml', 'config/rbac/service_account.yaml'],
      ['config/rbac/role.yaml', 'config/rbac/role.yaml'],
      ['config/rbac/role_binding.yaml', 'config/rbac/role_binding.yaml'],
      ['config/rbac/leader_election_role.yaml', 'config/rbac/leader_election_role.yaml'],
      ['config/rbac/leader_election_role_binding.yaml', 'config/rbac/leader_election_role_binding.yaml'],
      ['config/crd/kustomization.yaml', 'config/crd/kustomization.yaml'],
      ['config/samples/kustomization.yaml', 'config/samples/kustomization.yaml'],
    ];
    for (const [from, to] of files) {
      if (from.endsWith('.ejs')) this.renderTemplate(from, to, data);
      else this.copyTemplate(from, to);
    }
  }
}

export default AppGenerator;
