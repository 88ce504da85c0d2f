/**
 * The `webhook` generator (`opkit create webhook`): defaulting and validating admission webhooks,
 * and the conversion webhook, for a kind the project has: handler files, their tests, the
 * manifests (config/webhook, config/default wiring, the cert-manager overlay), the main.ts edit.
 *
 * The project is read in `initializing`, missing values are asked in `prompting` (interactive runs
 * only), everything is validated in `configuring` (a kind that does not exist is refused there,
 * naming the kinds that do) and rendered into mem-fs in `writing`; yeoman commits to disk only
 * after every task succeeded, so a failure writes nothing.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaseOptions } from 'yeoman-generator';
import { CodegenError } from '../../codegen/errors.js';
import { OpkitGenerator } from '../shared/base.js';
import { ScaffoldError } from '../shared/errors.js';
import { addKustomizeResource, summarizeCrd, type CrdSummary } from '../shared/manifests.js';
import { packageRoot, templatesDir } from '../shared/paths.js';
import { readProjectConfig } from '../shared/project.js';
import { generateProjectTypes } from '../shared/types.js';
import { checkKind } from '../shared/validate.js';
import { enableWebhooks } from '../shared/webhook-main-edit.js';
import { addKustomizePatch, withCaInjectedCrd, withConversionWebhook, withWebhooks } from '../shared/webhook-manifests.js';
import { versionAlias, webhookSpec, type WebhookSpec } from '../shared/webhook-spec.js';

/** opkit generate rbac, loaded when used (it loads ts-morph, a TypeScript compiler). */
const rbac = async () => import('../../codegen/rbac/generate-rbac.js');

/** fast-check's range when opkit's runtime manifest does not say (a published opkit has no runtime/). */
const FAST_CHECK_FALLBACK = '^4.10.0';

/** The fast-check range the round-trip helper of `@opkit/runtime/testing/conversion` is tested with (its optional peer). */
function fastCheckRange(): string {
  const manifest = join(packageRoot(), 'runtime', 'package.json');
  if (!existsSync(manifest)) return FAST_CHECK_FALLBACK;
  const runtime = JSON.parse(readFileSync(manifest, 'utf8')) as { peerDependencies?: Record<string, string> };
  return runtime.peerDependencies?.['fast-check'] ?? FAST_CHECK_FALLBACK;
}

/** The file of this generator (yeoman registers generators by path). */
export const WEBHOOK_GENERATOR_PATH: string = fileURLToPath(import.meta.url);

/** The values {@link WebhookGenerator} takes (besides yeoman's own options). */
export interface WebhookInputs {
  /** Project folder (absolute). Default: the environment's cwd. */
  readonly destinationRoot?: string;
  /** The kind (it must exist in config/crd). Asked when missing in interactive runs; required otherwise. */
  readonly kind?: string | undefined;
  /** The API group of the kind, when two of the project's kinds share the name. */
  readonly group?: string | undefined;
  /** The version the admission webhooks are for. Default: the CRD's storage version. */
  readonly version?: string | undefined;
  readonly defaulting?: boolean | undefined;
  readonly validation?: boolean | undefined;
  readonly conversion?: boolean | undefined;
  /**
   * Composed by `opkit create api --conversion`: a version the api generator adds to the CRD in the
   * same run (not in config/crd yet when this generator is configured).
   */
  readonly pendingVersion?: { readonly name: string; readonly storage: boolean } | undefined;
  /** Regenerate the handler files and tests of a kind that has them. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Ask for the values no option gave, and confirm a summary before writing. Default false. */
  readonly interactive?: boolean | undefined;
  /** Called with the validated spec before anything is rendered. */
  readonly onResolved?: ((spec: WebhookSpec) => void) | undefined;
}

/** Options of {@link WebhookGenerator}: yeoman's and {@link WebhookInputs}. */
export type WebhookGeneratorOptions = BaseOptions & WebhookInputs;

/** Adds webhooks for one kind to an Opkit project. */
export class WebhookGenerator extends OpkitGenerator<WebhookGeneratorOptions> {
  #spec: WebhookSpec | undefined;
  #projectName = '';
  #kind: string | undefined;
  #kinds = { defaulting: false, validation: false, conversion: false };

  constructor(args: string[], options: WebhookGeneratorOptions) {
    // composed by create api: that generator's install task is the run's
    super(args, options, { customInstallTask: options.pendingVersion === undefined });
    this.sourceRoot(templatesDir('webhook'));
  }

  #requireSpec(): WebhookSpec {
    if (this.#spec === undefined) throw new Error('WebhookGenerator: spec is read before configuring');
    return this.#spec;
  }

  /** Reads the project (refusing a folder that is not one, before any prompt). Writes nothing. */
  initializing(): void {
    this.#projectName = readProjectConfig(this.destinationRoot()).name;
    this.#kind = this.options.kind;
    this.#kinds = { defaulting: this.options.defaulting === true, validation: this.options.validation === true, conversion: this.options.conversion === true };
  }

  /** Asks, in interactive runs, for the kind (listing the project's) and which webhooks, when no flag said. */
  async prompting(): Promise<void> {
    if (this.options.interactive !== true) return;
    if (this.#kind === undefined) {
      const known = this.#crdsOnDisk().map(({ crd }) => crd.kind);
      this.#kind = await this.askValue({
        name: 'kind',
        message: `Kind${known.length > 0 ? ` (${known.join(', ')})` : ''}`,
        fallback: known.length === 1 ? known[0] : undefined,
        check: (v) => checkKind(v) ?? (known.includes(v) ? undefined : `${v} is not a kind of this project (${known.join(', ') || 'none yet'})`),
        reason: 'KindNotFound',
      });
    }
    if (!this.#kinds.defaulting && !this.#kinds.validation && !this.#kinds.conversion) {
      this.#kinds.defaulting = await this.askYesNo('defaulting', 'A defaulting (mutating) webhook?', true);
      this.#kinds.validation = await this.askYesNo('validation', 'A validating webhook?', true);
      this.#kinds.conversion = await this.askYesNo('conversion', 'A conversion webhook (needs two versions of the kind)?', false);
    }
  }

  /** Finds the kind among the project's CRDs, validates the request and the project's RBAC. Writes nothing. */
  async configuring(): Promise<void> {
    const kind = this.#kind;
    if (kind === undefined) throw new ScaffoldError({ reason: 'InvalidArguments', message: 'missing --kind' });
    const crds = this.#crdsOnDisk();
    const matching = crds.filter(({ crd }) => crd.kind === kind && (this.options.group === undefined || crd.group === this.options.group || crd.group.startsWith(`${this.options.group}.`)));
    if (matching.length === 0) {
      const known = crds.map(({ crd, file }) => `${crd.kind} (${crd.group}, ${crd.versions.map((v) => v.name).join(', ')}; ${file})`);
      throw new ScaffoldError({
        reason: 'KindNotFound',
        message:
          `kind ${kind}${this.options.group === undefined ? '' : ` of group ${this.options.group}`} does not exist in this project: ` +
          (known.length > 0 ? `config/crd has ${known.join('; ')}` : 'config/crd has no kinds') +
          `. Add it first with \`opkit create api --group <group> --version <version> --kind ${kind}\`, or pass one of the kinds above. Nothing was written`,
      });
    }
    if (matching.length > 1) {
      throw new ScaffoldError({ reason: 'InvalidArguments', message: `kind ${kind} exists in ${matching.length} API groups (${matching.map(({ crd }) => crd.group).join(', ')}); pass --group to choose one` });
    }
    const [{ crd: onDisk, file }] = matching as [{ crd: CrdSummary; file: string }];
    const pending = this.options.pendingVersion;
    const crd: CrdSummary =
      pending === undefined || onDisk.versions.some((v) => v.name === pending.name)
        ? onDisk
        : { ...onDisk, versions: [...onDisk.versions.map((v) => ({ ...v, storage: pending.storage ? false : v.storage })), { name: pending.name, served: true, storage: pending.storage }] };
    const spec = webhookSpec({ crd, crdFile: file, version: this.options.version, kinds: this.#kinds, projectName: this.#projectName });
    if (this.options.overwrite !== true) {
      const files = [...(spec.defaulting || spec.validation ? [spec.webhookFile] : []), ...(spec.conversion ? [spec.conversionFile] : [])];
      const taken = files.find((f) => existsSync(this.destinationPath(f)));
      if (taken !== undefined) {
        throw new ScaffoldError({ reason: 'WebhookExists', message: `${taken} already exists (kind ${kind} has webhooks); pass --force to regenerate it and its test. Nothing was written` });
      }
    }
    await this.#checkRbac();
    this.#spec = spec;
    this.options.onResolved?.(spec);
  }

  async #checkRbac(): Promise<void> {
    try {
      const { generateRbac } = await rbac();
      await generateRbac({ cwd: this.destinationRoot(), check: true });
    } catch (cause) {
      if (!(cause instanceof CodegenError)) throw cause;
      throw new ScaffoldError({ reason: 'RbacFailed', message: `${cause.message}; fix it (opkit generate rbac shows the same error), then run opkit create webhook again. Nothing was written`, cause });
    }
  }

  #crdsOnDisk(): Array<{ file: string; crd: CrdSummary }> {
    const dir = this.destinationPath('config/crd');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'kustomization.yaml')
      .sort()
      .flatMap((f) => {
        const file = `config/crd/${f}`;
        const crd = summarizeCrd(this.readFile(file) ?? '', file);
        return crd === undefined ? [] : [{ file, crd }];
      });
  }

  /** Renders every file into mem-fs. */
  async writing(): Promise<void> {
    const spec = this.#requireSpec();
    const data = {
      ...spec,
      ...spec.project,
      typesFromWebhooks: spec.typesFromWebhooks(spec.version),
      typesFromTest: spec.typesFromTest(spec.version),
      alias: (v: string) => versionAlias(spec.kind, v),
      typesOf: (v: string, from: 'webhooks' | 'test') => (from === 'webhooks' ? spec.typesFromWebhooks(v) : spec.typesFromTest(v)),
    };
    const registrations: Array<{ functionName: string; importPath: string }> = [];
    if (spec.defaulting || spec.validation) {
      this.renderTemplate('webhook.ts.ejs', spec.webhookFile, data);
      this.renderTemplate('webhook.test.ts.ejs', spec.webhookTestFile, data);
      registrations.push({ functionName: spec.registerWebhooks, importPath: `./webhooks/${spec.fileStem}.webhook.js` });
      const manifests = 'config/webhook/manifests.yaml';
      this.fs.write(this.destinationPath(manifests), withWebhooks(this.readFile(manifests), spec, manifests));
    }
    if (spec.conversion) {
      this.#edit(spec.crdFile, (text, file) => withConversionWebhook(text, file));
      this.#writeTypes();
      this.renderTemplate('conversion.ts.ejs', spec.conversionFile, data);
      this.renderTemplate('conversion.test.ts.ejs', spec.conversionTestFile, data);
      registrations.push({ functionName: spec.registerConversion, importPath: `./webhooks/${spec.fileStem}.conversion.js` });
      this.#addDevDependency('fast-check', fastCheckRange());
    }
    this.#wireKustomize(spec, data);

    const main = this.readFile('src/main.ts');
    if (main === undefined) throw new ScaffoldError({ reason: 'MainNotUnderstood', message: 'src/main.ts does not exist; nothing was written' });
    const hasMutating = spec.defaulting || /kind: MutatingWebhookConfiguration/.test(this.readFile('config/webhook/manifests.yaml') ?? '');
    const hasValidating = spec.validation || /kind: ValidatingWebhookConfiguration/.test(this.readFile('config/webhook/manifests.yaml') ?? '');
    const edited = await enableWebhooks(main, { project: spec.project, registrations, mutating: hasMutating, validating: hasValidating, crd: spec.conversion ? spec.crdName : undefined });
    if (edited !== main) this.fs.write(this.destinationPath('src/main.ts'), edited);
  }

  /** config/webhook (Service, kustomization), config/default's wiring, and the cert-manager overlay (once each). */
  #wireKustomize(spec: WebhookSpec, data: object): void {
    const copyOnce = (template: string, target: string): void => {
      if (this.readFile(target) === undefined) this.renderTemplate(template, target, data);
    };
    copyOnce('config/webhook/kustomization.yaml', 'config/webhook/kustomization.yaml');
    copyOnce('config/webhook/service.yaml.ejs', 'config/webhook/service.yaml');
    copyOnce('config/default/manager_webhook_patch.yaml', 'config/default/manager_webhook_patch.yaml');
    copyOnce('config/certmanager/kustomization.yaml.ejs', 'config/certmanager/kustomization.yaml');
    copyOnce('config/certmanager/certificate.yaml.ejs', 'config/certmanager/certificate.yaml');
    copyOnce('config/certmanager/manager_certmanager_patch.yaml.ejs', 'config/certmanager/manager_certmanager_patch.yaml');
    this.#edit('config/default/kustomization.yaml', (text, file) => addKustomizePatch(addKustomizeResource(text, '../webhook', file), 'manager_webhook_patch.yaml', file));
    if (spec.conversion) {
      const file = 'config/certmanager/kustomization.yaml';
      const text = this.readFile(file) ?? '';
      const next = withCaInjectedCrd(text, spec.crdName, `${spec.project.namespace}/${spec.project.certificateName}`, file);
      if (next !== text) this.fs.write(this.destinationPath(file), next);
    }
  }

  /** In interactive runs: shows what will be written and asks to go on (before the commit). */
  async conflicts(): Promise<void> {
    if (this.options.interactive !== true) return;
    const spec = this.#requireSpec();
    const what = [spec.defaulting ? 'defaulting' : '', spec.validation ? 'validation' : '', spec.conversion ? `conversion (hub ${spec.hubVersion})` : ''].filter((w) => w !== '').join(', ');
    await this.confirmWrite(`Add webhooks for ${spec.kind} to ${this.destinationRoot()}:`, [
      ['kind', `${spec.kind} (${spec.apiGroup}/${spec.version})`],
      ['webhooks', what],
    ]);
  }

  /** Adds a devDependency to package.json when it has none of that name (sorted, as npm writes them). */
  #addDevDependency(name: string, range: string): void {
    this.#edit('package.json', (text, file) => {
      let pkg: { devDependencies?: Record<string, string> };
      try {
        pkg = JSON.parse(text) as typeof pkg;
      } catch (cause) {
        throw new ScaffoldError({ reason: 'NotAProject', message: `${file} is not valid JSON`, cause });
      }
      if (pkg.devDependencies?.[name] !== undefined) return text;
      const devDependencies = Object.fromEntries(Object.entries({ ...pkg.devDependencies, [name]: range }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      return `${JSON.stringify({ ...pkg, devDependencies }, null, 2)}\n`;
    });
  }

  /** Regenerates src/api/ from every CRD in config/crd as they are in mem-fs (the CRD's conversion is in its types). */
  #writeTypes(): void {
    const files = new Map<string, string>();
    for (const { file } of this.#crdsOnDisk()) {
      const text = this.readFile(file);
      if (text !== undefined) files.set(file, text);
    }
    for (const [file, content] of generateProjectTypes(files)) {
      if (this.readFile(file) !== content) this.fs.write(this.destinationPath(file), content);
    }
  }

  #edit(file: string, edit: (text: string, file: string) => string): void {
    const text = this.readFile(file);
    if (text === undefined) throw new ScaffoldError({ reason: 'NotAProject', message: `${file} is missing; is this an Opkit project?` });
    const next = edit(text, file);
    if (next !== text) this.fs.write(this.destinationPath(file), next);
  }

  /** After the files are on disk: config/rbac follows the certificate manager (opkit generate rbac). */
  async end(): Promise<void> {
    const { generateRbac } = await rbac();
    await generateRbac({ cwd: this.destinationRoot() });
  }
}

export default WebhookGenerator;
