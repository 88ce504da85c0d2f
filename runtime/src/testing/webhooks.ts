import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../util/x509.js';
import type { WebhookDescription } from '../webhook/server.js';
import type { CrdObject } from './crds.js';
import { listManifestFiles } from './crds.js';
import { TestEnvironmentError } from './errors.js';
import { freePort } from './ports.js';
import { restRequest, statusMessage, type RestTarget } from './rest.js';

/**
 * Webhook serving for tests (envtest's `WebhookInstallOptions`): given to `TestEnvironment` as
 * `webhooks: true` or these options.
 */
export interface WebhookInstallOptions {
  /**
   * Mutating/ValidatingWebhookConfiguration manifests (files or folders, YAML or JSON) installed
   * by `start()`, each webhook's `clientConfig` rewritten to the test server's URL (the
   * `service.path`, on 127.0.0.1 and the serving port) with the test CA as `caBundle`.
   */
  readonly manifestPaths?: readonly string[];
}

/** Where a test's webhook server serves: pass it as the Manager's `webhook` option. */
export interface WebhookServing {
  readonly host: string;
  readonly port: number;
  readonly certDir: string;
  readonly certName: string;
  readonly keyName: string;
}

/** Options of `TestEnvironment.installWebhooks`. */
export interface InstallWebhooksOptions {
  /** The server the configurations point at (default: the environment's `webhookOptions`). */
  readonly serving?: WebhookServing;
  /** Prefix of the configurations' names (default `opkit-envtest`): `<name>-mutating`, `<name>-validating`. */
  readonly name?: string;
  /** Only these paths (default: every described path). */
  readonly paths?: readonly string[];
  /** Default `Fail`. */
  readonly failurePolicy?: 'Fail' | 'Ignore';
  /** Default 10. */
  readonly timeoutSeconds?: number;
  readonly namespaceSelector?: Record<string, unknown>;
  readonly objectSelector?: Record<string, unknown>;
}

/** A source of webhook descriptions: a `WebhookServer` (its `webhooks()`), or the list itself. */
export type WebhookSource = { webhooks(): ReadonlyArray<{ readonly path: string; readonly description: WebhookDescription | undefined }> } | ReadonlyArray<{ readonly path: string; readonly description: WebhookDescription | undefined }>;

interface Configuration {
  apiVersion: string;
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  metadata: { name: string; [key: string]: unknown };
  webhooks?: Array<{ name: string; clientConfig?: { url?: string; caBundle?: string; service?: { path?: string; port?: number } }; [key: string]: unknown }>;
  [key: string]: unknown;
}

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';
const PLURAL = { MutatingWebhookConfiguration: 'mutatingwebhookconfigurations', ValidatingWebhookConfiguration: 'validatingwebhookconfigurations' } as const;

/**
 * The test webhook CA and serving certificates of one environment.
 * @internal owned by TestEnvironment.
 */
export class WebhookCertificates {
  readonly ca: KeyPair;
  readonly #dir: string;
  #servings = 0;

  constructor(dir: string) {
    this.#dir = dir;
    this.ca = createCertificateAuthority({ commonName: 'opkit-envtest-webhook-ca' });
  }

  /** The CA as a configuration's `caBundle` (base64 of the PEM). */
  get caBundle(): string {
    return Buffer.from(this.ca.cert).toString('base64');
  }

  /** A new serving certificate for 127.0.0.1 and localhost, signed by the CA. */
  issueServing(): KeyPair {
    return issueCertificate(this.ca, { commonName: 'opkit-envtest-webhook', usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  }

  /** A free port and a new cert dir holding a fresh serving pair. */
  async newServing(): Promise<WebhookServing> {
    const certDir = join(this.#dir, `webhook-${this.#servings++}`, 'serving-certs');
    mkdirSync(certDir, { recursive: true });
    const pair = this.issueServing();
    writeFileSync(join(certDir, 'tls.key'), pair.key, { mode: 0o600 });
    writeFileSync(join(certDir, 'tls.crt'), pair.cert, { mode: 0o600 });
    return { host: '127.0.0.1', port: await freePort(), certDir, certName: 'tls.crt', keyName: 'tls.key' };
  }
}

const urlOf = (serving: WebhookServing, path: string): string => `https://127.0.0.1:${serving.port}${path.startsWith('/') ? path : `/${path}`}`;

/**
 * Points every CRD whose `spec.conversion.strategy` is `Webhook` at the test server:
 * `clientConfig: { url: https://127.0.0.1:<port><service.path or /convert>, caBundle }`.
 */
export function pointCrdConversion(crd: CrdObject, serving: WebhookServing, caBundle: string): CrdObject {
  const conversion = crd.spec['conversion'] as { strategy?: string; webhook?: { clientConfig?: { service?: { path?: string } }; conversionReviewVersions?: string[] } } | undefined;
  if (conversion?.strategy !== 'Webhook') return crd;
  const path = conversion.webhook?.clientConfig?.service?.path ?? '/convert';
  const webhook = { ...conversion.webhook, conversionReviewVersions: conversion.webhook?.conversionReviewVersions ?? ['v1'], clientConfig: { url: urlOf(serving, path), caBundle } };
  return { ...crd, spec: { ...crd.spec, conversion: { ...conversion, webhook } } };
}

/**
 * Reads webhook configuration manifests and points them at `serving`.
 * @throws TestEnvironmentError `WebhookManifestInvalid` naming the file (missing path, bad YAML, no webhooks).
 */
export function loadWebhookManifests(paths: readonly string[], serving: WebhookServing, caBundle: string, warn: (m: string) => void): Configuration[] {
  const out: Configuration[] = [];
  for (const given of paths) {
    const path = resolve(given);
    if (!existsSync(path)) throw new TestEnvironmentError({ reason: 'WebhookManifestInvalid', message: `webhook manifest path ${given} does not exist (resolved to ${path}); fix webhooks.manifestPaths` });
    for (const file of listManifestFiles(path)) {
      parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, index) => {
        const error = doc.errors[0];
        if (error) throw new TestEnvironmentError({ reason: 'WebhookManifestInvalid', message: `${file}: malformed YAML: ${error.message.split('\n')[0]}`, cause: error });
        const value = doc.toJS() as Partial<Configuration> | null;
        if (value?.kind !== 'MutatingWebhookConfiguration' && value?.kind !== 'ValidatingWebhookConfiguration') {
          if (value !== null) warn(`skipping document ${index + 1} of ${file}: ${String(value?.kind)} is not a webhook configuration`);
          return;
        }
        if (!value.metadata?.name) throw new TestEnvironmentError({ reason: 'WebhookManifestInvalid', message: `${file} (document ${index + 1}): the ${value.kind} has no metadata.name` });
        const webhooks = (value.webhooks ?? []).map((w) => ({ ...w, clientConfig: { url: urlOf(serving, w.clientConfig?.service?.path ?? w.clientConfig?.url?.replace(/^https:\/\/[^/]+/, '') ?? '/'), caBundle } }));
        out.push({ ...(value as Configuration), webhooks });
      });
    }
  }
  return out;
}

/** The webhook configurations for the described admission webhooks of `source`. */
export function configurationsFor(source: WebhookSource, serving: WebhookServing, caBundle: string, o: InstallWebhooksOptions): Configuration[] {
  const list = 'webhooks' in source && typeof source.webhooks === 'function' ? source.webhooks() : (source as Exclude<WebhookSource, { webhooks(): unknown }>);
  const wanted = list.filter((w) => o.paths === undefined || o.paths.includes(w.path));
  const prefix = o.name ?? 'opkit-envtest';
  const build = (type: 'mutating' | 'validating'): Configuration | undefined => {
    const webhooks = wanted.flatMap(({ path, description: d }) =>
      d?.type === type
        ? [
            {
              name: d.name,
              clientConfig: { url: urlOf(serving, path), caBundle },
              rules: d.rules,
              admissionReviewVersions: ['v1'],
              sideEffects: 'None',
              failurePolicy: o.failurePolicy ?? 'Fail',
              timeoutSeconds: o.timeoutSeconds ?? 10,
              matchPolicy: 'Equivalent',
              ...(o.namespaceSelector ? { namespaceSelector: o.namespaceSelector } : {}),
              ...(o.objectSelector ? { objectSelector: o.objectSelector } : {}),
            },
          ]
        : [],
    );
    if (webhooks.length === 0) return undefined;
    const kind = type === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration';
    return { apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: `${prefix}-${type}` }, webhooks };
  };
  return [build('mutating'), build('validating')].filter((c): c is Configuration => c !== undefined);
}

/** Creates each configuration, or replaces it when it exists. @throws TestEnvironmentError `WebhookInstallFailed`. */
export async function applyConfigurations(target: RestTarget, configurations: readonly Configuration[]): Promise<void> {
  for (const c of configurations) {
    const base = `${ADMISSION}/${PLURAL[c.kind]}`;
    let res = await restRequest(target, 'POST', base, c);
    if (res.status === 409) {
      const current = await restRequest(target, 'GET', `${base}/${c.metadata.name}`);
      const resourceVersion = (JSON.parse(current.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      res = await restRequest(target, 'PUT', `${base}/${c.metadata.name}`, { ...c, metadata: { ...c.metadata, resourceVersion } });
    }
    if (res.status >= 300) {
      throw new TestEnvironmentError({ reason: 'WebhookInstallFailed', message: `the API server rejected ${c.kind} ${c.metadata.name} (HTTP ${res.status}): ${statusMessage(res.body)}` });
    }
  }
}

/**
 * Points the CRDs of the described conversion webhooks (`{ type: 'conversion', group, kinds }`)
 * at `serving`'s path of the webhook. @throws TestEnvironmentError `WebhookInstallFailed`.
 */
export async function applyConversion(target: RestTarget, source: WebhookSource, serving: WebhookServing, caBundle: string): Promise<void> {
  const list = 'webhooks' in source && typeof source.webhooks === 'function' ? source.webhooks() : (source as Exclude<WebhookSource, { webhooks(): unknown }>);
  const conversions = list.filter((w) => w.description?.type === 'conversion');
  if (conversions.length === 0) return;
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const crds = (JSON.parse((await restRequest(target, 'GET', base)).body) as { items?: CrdObject[] }).items ?? [];
  for (const { path, description: d } of conversions) {
    if (d?.type !== 'conversion') continue;
    for (const crd of crds.filter((c) => c.spec.group === d.group && d.kinds.includes(c.spec.names.kind))) {
      const conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: urlOf(serving, path), caBundle } } };
      const res = await restRequest(target, 'PUT', `${base}/${crd.metadata.name}`, { ...crd, spec: { ...crd.spec, conversion } });
      if (res.status >= 300) throw new TestEnvironmentError({ reason: 'WebhookInstallFailed', message: `the API server rejected the conversion webhook of CRD ${crd.metadata.name} (HTTP ${res.status}): ${statusMessage(res.body)}` });
    }
  }
}
