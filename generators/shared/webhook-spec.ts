/**
 * One kind's webhooks (`opkit create webhook`) and every name and path derived from it, in one
 * place, so the templates, the manifests, the main.ts edit and the tests agree.
 * @module
 */
import { ScaffoldError } from './errors.js';
import type { CrdSummary } from './manifests.js';
import { kebabCase, projectStem } from './names.js';

/** What to scaffold for a kind. */
export interface WebhookKinds {
  readonly defaulting: boolean;
  readonly validation: boolean;
  readonly conversion: boolean;
}

/** The project-wide names of the webhook deployment (kustomize prefixes the base names with `<stem>-`). */
export interface WebhookProjectNames {
  /** The project's stem (package name without `-operator`): kustomize's namePrefix is `<stem>-`. */
  readonly stem: string;
  /** The operator's namespace in a cluster (config/default's `namespace:`). */
  readonly namespace: string;
  readonly serviceName: string;
  readonly secretName: string;
  readonly mutatingConfiguration: string;
  readonly validatingConfiguration: string;
  /** cert-manager's Certificate (config/certmanager). */
  readonly certificateName: string;
}

/** A validated webhook scaffold and its derived names and project-relative paths (always with `/`). */
export interface WebhookSpec extends WebhookKinds {
  readonly kind: string;
  readonly apiGroup: string;
  /** The version the admission webhooks are registered for (default: the storage version). */
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly crdName: string;
  readonly crdFile: string;
  /** Every version of the CRD, the storage (hub) version first. */
  readonly versions: readonly string[];
  readonly hubVersion: string;
  readonly spokeVersions: readonly string[];
  readonly fileStem: string;
  /** `/mutate-<group with dashes>-<version>-<kind lower>`, controller-runtime's path. */
  readonly mutatePath: string;
  readonly validatePath: string;
  /** Webhook names in the configurations (fully qualified, unique per kind and version). */
  readonly mutatingWebhookName: string;
  readonly validatingWebhookName: string;
  readonly webhookFile: string;
  readonly webhookTestFile: string;
  readonly conversionFile: string;
  readonly conversionTestFile: string;
  /** `register<Kind>Webhooks(mgr)` (defaulting/validation) and `register<Kind>Conversion(mgr)`. */
  readonly registerWebhooks: string;
  readonly registerConversion: string;
  /** `<kind>Conversion`: the exported conversion definition. */
  readonly conversionName: string;
  /** Import specifier of a version's types from `src/webhooks/` (and the same from `test/` with `typesFromTest`). */
  readonly typesFromWebhooks: (version: string) => string;
  readonly typesFromTest: (version: string) => string;
  readonly project: WebhookProjectNames;
}

/** The project-wide names for a project called `projectName`. */
export function webhookProjectNames(projectName: string): WebhookProjectNames {
  const stem = projectStem(projectName);
  return {
    stem,
    namespace: `${stem}-system`,
    serviceName: `${stem}-webhook-service`,
    secretName: `${stem}-webhook-server-cert`,
    mutatingConfiguration: `${stem}-mutating-webhook-configuration`,
    validatingConfiguration: `${stem}-validating-webhook-configuration`,
    certificateName: `${stem}-serving-cert`,
  };
}

/** `Widget` + `v1` → `V1`-suffixed alias name used when several versions are imported at once. */
export function versionAlias(kind: string, version: string): string {
  return `${kind}${version.charAt(0).toUpperCase()}${version.slice(1)}`;
}

/**
 * Derives the spec of the webhooks of `crd` (a kind of the project).
 * @throws ScaffoldError `InvalidArguments` when nothing is asked for, the version is not one of
 *   the CRD's, or `--conversion` is asked for a CRD with one version (naming the fix).
 */
export function webhookSpec(options: { crd: CrdSummary; crdFile: string; version?: string | undefined; kinds: WebhookKinds; projectName: string }): WebhookSpec {
  const { crd, kinds } = options;
  if (!kinds.defaulting && !kinds.validation && !kinds.conversion) {
    throw new ScaffoldError({ reason: 'InvalidArguments', message: 'nothing to scaffold: pass at least one of --defaulting, --validation, --conversion' });
  }
  const storage = crd.versions.find((v) => v.storage)?.name ?? crd.versions[0]?.name ?? '';
  const names = crd.versions.map((v) => v.name);
  const version = options.version ?? storage;
  if (!names.includes(version)) {
    throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${crd.kind} has no version ${JSON.stringify(version)} in ${options.crdFile} (it has ${names.join(', ')}); pass one of those with --version` });
  }
  if (kinds.conversion && names.length < 2) {
    throw new ScaffoldError({
      reason: 'InvalidArguments',
      message: `--conversion needs two versions of ${crd.kind}, and ${options.crdFile} has only ${names.join(', ')}; add one first with \`opkit create api --group <group> --version <v2> --kind ${crd.kind}\``,
    });
  }
  const singular = crd.kind.toLowerCase();
  const fileStem = kebabCase(crd.kind);
  const dashed = crd.group.replaceAll('.', '-');
  const typesDir = (v: string): string => `api/${crd.group}/${v}/index.js`;
  return {
    ...kinds,
    kind: crd.kind,
    apiGroup: crd.group,
    version,
    plural: crd.plural,
    singular,
    namespaced: crd.scope !== 'Cluster',
    crdName: crd.name,
    crdFile: options.crdFile,
    versions: [storage, ...names.filter((n) => n !== storage)],
    hubVersion: storage,
    spokeVersions: names.filter((n) => n !== storage),
    fileStem,
    mutatePath: `/mutate-${dashed}-${version}-${singular}`,
    validatePath: `/validate-${dashed}-${version}-${singular}`,
    mutatingWebhookName: `m${singular}-${version}.${crd.group}`,
    validatingWebhookName: `v${singular}-${version}.${crd.group}`,
    webhookFile: `src/webhooks/${fileStem}.webhook.ts`,
    webhookTestFile: `test/${fileStem}.webhook.test.ts`,
    conversionFile: `src/webhooks/${fileStem}.conversion.ts`,
    conversionTestFile: `test/${fileStem}.conversion.test.ts`,
    registerWebhooks: `register${crd.kind}Webhooks`,
    registerConversion: `register${crd.kind}Conversion`,
    conversionName: `${singular.charAt(0)}${crd.kind.slice(1)}Conversion`,
    typesFromWebhooks: (v) => `../${typesDir(v)}`,
    typesFromTest: (v) => `../src/${typesDir(v)}`,
    project: webhookProjectNames(options.projectName),
  };
}
