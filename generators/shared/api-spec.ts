/**
 * One API (a kind at a version) and every name and path derived from it, in one place, so the
 * templates, the manifest edits and the tests agree.
 * @module
 */
import { kebabCase, pluralize } from './names.js';
import { ScaffoldError } from './errors.js';
import { apiGroupOf, assertValidApi, checkGroupOfDomain, groupWithinDomain } from './validate.js';

/** The values given for an API (flags, prompts or defaults). */
export interface ApiOptions {
  readonly domain: string;
  /** The group before the domain; one that already ends with `.<domain>` is the whole API group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Default: the English plural of the kind, lower case. */
  readonly plural?: string | undefined;
  /** Default: false (namespaced). */
  readonly clusterScoped?: boolean | undefined;
}

/** A validated API and its derived names and project-relative paths (always with `/`). */
export interface ApiSpec {
  readonly domain: string;
  /** The group before the domain (`web` of `web.example.com`). */
  readonly group: string;
  /** `<group>.<domain>`: the CRD's `spec.group`. */
  readonly apiGroup: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** The kind in lower case. */
  readonly singular: string;
  readonly namespaced: boolean;
  /** `<plural>.<apiGroup>`: the CRD's name. */
  readonly crdName: string;
  /** Kebab-case kind: the stem of the controller and test files. */
  readonly fileStem: string;
  /** The controller's name (metrics and logs). */
  readonly controllerName: string;
  /** The function that registers the controller with a manager. */
  readonly registerFunction: string;
  readonly crdFile: string;
  readonly typesFile: string;
  readonly controllerFile: string;
  readonly testFile: string;
  readonly sampleFile: string;
  /** Import specifier of the types, from `src/controllers/`. */
  readonly typesImportFromControllers: string;
  /** Import specifier of the types, from `test/`. */
  readonly typesImportFromTest: string;
  /** Import specifier of the controller, from `src/`. */
  readonly controllerImportFromSrc: string;
}

/**
 * Validates the options and derives the spec. A group that already ends with the domain is taken
 * as the whole API group (`--group web.example.com` in an `example.com` project is
 * `web.example.com`); a group equal to the domain is refused.
 * @throws ScaffoldError naming the first invalid value and its rule.
 */
export function apiSpec(options: ApiOptions): ApiSpec {
  const plural = options.plural ?? pluralize(options.kind);
  const sameAsDomain = checkGroupOfDomain(options.group, options.domain);
  if (sameAsDomain !== undefined) throw new ScaffoldError({ reason: 'InvalidGroup', message: sameAsDomain });
  const group = groupWithinDomain(options.group, options.domain);
  assertValidApi({ domain: options.domain, group, version: options.version, kind: options.kind, plural });
  const apiGroup = apiGroupOf(group, options.domain);
  const fileStem = kebabCase(options.kind);
  const singular = options.kind.toLowerCase();
  const typesDir = `src/api/${apiGroup}/${options.version}`;
  return {
    domain: options.domain,
    group,
    apiGroup,
    version: options.version,
    kind: options.kind,
    plural,
    singular,
    namespaced: options.clusterScoped !== true,
    crdName: `${plural}.${apiGroup}`,
    fileStem,
    controllerName: fileStem,
    registerFunction: `register${options.kind}Controller`,
    crdFile: `config/crd/${apiGroup}_${plural}.yaml`,
    typesFile: `${typesDir}/index.ts`,
    controllerFile: `src/controllers/${fileStem}.controller.ts`,
    testFile: `test/${fileStem}.controller.test.ts`,
    sampleFile: `config/samples/${apiGroup}_${options.version}_${singular}.yaml`,
    typesImportFromControllers: `../api/${apiGroup}/${options.version}/index.js`,
    typesImportFromTest: `../${typesDir}/index.js`,
    controllerImportFromSrc: `./controllers/${fileStem}.controller.js`,
  };
}
