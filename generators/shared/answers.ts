/**
 * The answers a project is generated from: given values (flags or prompts), then defaults derived
 * from the folder name. Pure; shared by the CLI (to fail fast, before yeoman loads) and the app
 * generator.
 * @module
 */
import { basename, resolve } from 'node:path';
import { apiSpec, type ApiSpec } from './api-spec.js';
import { ScaffoldError } from './errors.js';
import { defaultGroup, defaultKind, toPackageName } from './names.js';
import { checkProjectName } from './validate.js';

/** Defaults of values no option gives and no prompt asks for. */
export const APP_DEFAULTS = { directory: 'my-operator', domain: 'example.com', version: 'v1alpha1' } as const;

/** The values a project is generated from. */
export interface AppAnswers {
  /** Absolute target folder. */
  readonly directory: string;
  readonly projectName: string;
  readonly api: ApiSpec;
}

/** The values of options that were given; prompts fill the rest, then defaults. */
export interface GivenValues {
  directory?: string | undefined;
  projectName?: string | undefined;
  domain?: string | undefined;
  group?: string | undefined;
  version?: string | undefined;
  kind?: string | undefined;
  plural?: string | undefined;
  clusterScoped?: boolean | undefined;
}

/**
 * The answers from given values and defaults: project name from the folder (transliterated to
 * Latin letters where there is a common spelling), group and kind from the project name
 * (`webapp-operator` → group `webapp`, kind `Webapp`; `my-operator` → `widget`, `Widget`), plural
 * from the kind.
 * @throws ScaffoldError naming the first invalid value and its rule.
 */
export function resolveAppAnswers(given: GivenValues, cwd: string): AppAnswers {
  const directory = resolve(cwd, given.directory ?? APP_DEFAULTS.directory);
  const folder = basename(directory);
  const projectName = given.projectName ?? toPackageName(folder);
  const nameProblem = checkProjectName(projectName);
  if (nameProblem !== undefined) {
    const message =
      given.projectName !== undefined
        ? `${nameProblem}; pass another --name`
        : projectName === ''
          ? `the folder name ${JSON.stringify(folder)} gives no npm package name (one needs letters a-z or digits; other scripts than Latin and Cyrillic are not transliterated); pass --name <package-name> (e.g. --name webapp-operator), or choose another folder name`
          : `${nameProblem} (from the folder name ${JSON.stringify(folder)}); pass --name <package-name>, or choose another folder name`;
    throw new ScaffoldError({ reason: 'InvalidProjectName', message });
  }
  const api = apiSpec({
    domain: given.domain ?? APP_DEFAULTS.domain,
    group: given.group ?? defaultGroup(projectName),
    version: given.version ?? APP_DEFAULTS.version,
    kind: given.kind ?? defaultKind(projectName),
    plural: given.plural,
    clusterScoped: given.clusterScoped,
  });
  return { directory, projectName, api };
}
