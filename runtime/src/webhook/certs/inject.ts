/**
 * Patching the CA bundle into the clients of the webhook server: the webhooks of named
 * Mutating/ValidatingWebhookConfigurations, and the conversion webhook of named CRDs.
 * @module
 */
import { CustomResourceDefinition, MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from '../../api/builtins.js';
import type { KubeObject, Resource } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import { isConflict, isNotFound } from '../../client/errors.js';

/** Which objects get the CA bundle. */
export interface CaBundleTargets {
  /** Names of MutatingWebhookConfigurations (every webhook in each). */
  readonly mutating?: readonly string[];
  /** Names of ValidatingWebhookConfigurations (every webhook in each). */
  readonly validating?: readonly string[];
  /** Names of CRDs whose `spec.conversion.webhook.clientConfig` gets it (those with `strategy: Webhook`). */
  readonly crds?: readonly string[];
}

/** What one injection did, per object (`kind/name`). */
export interface InjectResult {
  readonly patched: string[];
  /** Objects that do not exist (yet): tried again at the next sync. */
  readonly missing: string[];
}

/** The part of a Mutating/ValidatingWebhookConfiguration the injection changes. */
interface WebhookConfiguration {
  webhooks?: Array<{ clientConfig: { caBundle?: string } }>;
}

const ATTEMPTS = 5;

/** Request options carrying `signal` when there is one. */
export function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

/** Gets, changes and updates one object, retrying on a conflict; `missing` when it does not exist. */
async function edit<T extends KubeObject>(client: Client, resource: Resource<T>, name: string, change: (object: T) => boolean, signal?: AbortSignal): Promise<'patched' | 'unchanged' | 'missing'> {
  for (let attempt = 1; ; attempt += 1) {
    let object: T;
    try {
      object = await client.get(resource, { name }, withSignal(signal));
    } catch (err) {
      if (isNotFound(err)) return 'missing';
      throw err;
    }
    if (!change(object)) return 'unchanged';
    try {
      await client.update(resource, object, withSignal(signal));
      return 'patched';
    } catch (err) {
      if (!isConflict(err) || attempt >= ATTEMPTS) throw err;
    }
  }
}

/**
 * Sets `caBundle` (base64 of the PEM bundle) on every target that has a different one.
 *
 * Guarantees: an object already holding the bundle is not written; each write carries the
 * resourceVersion it read (a concurrent writer makes it re-read, up to 5 times); a CRD without
 * `conversion.strategy: Webhook` is left alone.
 * @throws the client's error when an object cannot be read or written (e.g. RBAC).
 */
export async function injectCaBundle(client: Client, targets: CaBundleTargets, caBundlePem: string, signal?: AbortSignal): Promise<InjectResult> {
  const caBundle = Buffer.from(caBundlePem).toString('base64');
  const result: InjectResult = { patched: [], missing: [] };
  const record = (what: string, outcome: 'patched' | 'unchanged' | 'missing'): void => {
    if (outcome === 'patched') result.patched.push(what);
    if (outcome === 'missing') result.missing.push(what);
  };
  const setWebhooks = (config: WebhookConfiguration): boolean => {
    let changed = false;
    for (const webhook of config.webhooks ?? []) {
      if (webhook.clientConfig.caBundle === caBundle) continue;
      webhook.clientConfig.caBundle = caBundle;
      changed = true;
    }
    return changed;
  };
  for (const name of targets.mutating ?? []) {
    record(`MutatingWebhookConfiguration/${name}`, await edit(client, MutatingWebhookConfiguration, name, setWebhooks, signal));
  }
  for (const name of targets.validating ?? []) {
    record(`ValidatingWebhookConfiguration/${name}`, await edit(client, ValidatingWebhookConfiguration, name, setWebhooks, signal));
  }
  for (const name of targets.crds ?? []) {
    const outcome = await edit(client, CustomResourceDefinition, name, (crd) => {
      const conversion = crd.spec.conversion;
      const clientConfig = conversion?.strategy === 'Webhook' ? conversion.webhook?.clientConfig : undefined;
      if (clientConfig === undefined || clientConfig.caBundle === caBundle) return false;
      clientConfig.caBundle = caBundle;
      return true;
    }, signal);
    record(`CustomResourceDefinition/${name}`, outcome);
  }
  return result;
}
