import type { KubeObject, Resource } from '../../api/resource.js';
import { WebhookError } from '../errors.js';
import type { WebhookRule } from '../server.js';
import { WebhookServer } from '../server.js';
import { defaultingHandler, validatingHandler, type Defaulter, type Validator } from './handlers.js';

/** Anything with a webhook server: a Manager (`mgr.webhookServer`), or the server itself. */
export type WebhookHost = WebhookServer | { readonly webhookServer: WebhookServer };

type Gvk = Pick<Resource, 'group' | 'version' | 'kind'>;

/** controller-runtime's path of the mutating webhook of a kind: `/mutate-<group, dots as dashes>-<version>-<kind, lower case>`. */
export function mutatingPath(resource: Gvk): string {
  return `/mutate-${resource.group.replaceAll('.', '-')}-${resource.version}-${resource.kind.toLowerCase()}`;
}

/** controller-runtime's path of the validating webhook of a kind: `/validate-<group>-<version>-<kind>`. */
export function validatingPath(resource: Gvk): string {
  return `/validate-${resource.group.replaceAll('.', '-')}-${resource.version}-${resource.kind.toLowerCase()}`;
}

/** What {@link AdmissionBuilder.complete} registered. */
export interface AdmissionWebhooks {
  /** The defaulter's path, when one was given. */
  readonly mutatingPath: string | undefined;
  /** The validator's path, when one was given. */
  readonly validatingPath: string | undefined;
}

/**
 * Builds the admission webhooks of one kind (controller-runtime's `WebhookManagedBy(mgr).For(&Widget{})`):
 * `admissionFor(mgr, Widget).defaulter(fn).validator({ create, update, delete }).complete()`.
 */
export class AdmissionBuilder<T extends KubeObject> {
  readonly #server: WebhookServer;
  readonly #resource: Resource<T>;
  #defaulter: Defaulter<T> | undefined;
  #validator: Validator<T> | undefined;

  /** @internal use {@link admissionFor}. */
  constructor(server: WebhookServer, resource: Resource<T>) {
    this.#server = server;
    this.#resource = resource;
  }

  /** Sets defaults on CREATE and UPDATE (see `Defaulter`); answered as a JSON Patch of what changed. */
  defaulter(fn: Defaulter<T>): this {
    this.#defaulter = fn;
    return this;
  }

  /** Validates CREATE, UPDATE and DELETE (see `Validator`). */
  validator(validator: Validator<T>): this {
    this.#validator = validator;
    return this;
  }

  /**
   * Registers the handlers on the webhook server at {@link mutatingPath} / {@link validatingPath},
   * with descriptions (rules for exactly this group, version and resource) that the test
   * environment's `installWebhooks` turns into webhook configurations.
   * @throws {WebhookError} `InvalidOptions` with neither a defaulter nor a validator; `DuplicatePath`
   * when the kind already has one.
   */
  complete(): AdmissionWebhooks {
    const r = this.#resource;
    if (!this.#defaulter && !this.#validator) {
      throw new WebhookError({ reason: 'InvalidOptions', message: `admissionFor(${r.kind}): give .defaulter(fn) and/or .validator({ create, update, delete }) before .complete()` });
    }
    const scope = r.namespaced ? 'Namespaced' : 'Cluster';
    const rule = (operations: WebhookRule['operations']): WebhookRule => ({ apiGroups: [r.group], apiVersions: [r.version], resources: [r.plural], operations, scope });
    const host = r.group === '' ? 'core.k8s.io' : r.group;
    let mutating: string | undefined;
    let validating: string | undefined;
    if (this.#defaulter) {
      mutating = mutatingPath(r);
      this.#server.register(mutating, defaultingHandler(r, this.#defaulter), {
        name: `${r.kind} defaulter`,
        description: { type: 'mutating', name: `m${r.kind.toLowerCase()}-${r.version}.${host}`, rules: [rule(['CREATE', 'UPDATE'])] },
      });
    }
    if (this.#validator) {
      const v = this.#validator;
      const operations = [...(v.create ? ['CREATE' as const] : []), ...(v.update ? ['UPDATE' as const] : []), ...(v.delete ? ['DELETE' as const] : [])];
      validating = validatingPath(r);
      this.#server.register(validating, validatingHandler(r, v), {
        name: `${r.kind} validator`,
        description: { type: 'validating', name: `v${r.kind.toLowerCase()}-${r.version}.${host}`, rules: [rule(operations.length > 0 ? operations : ['CREATE', 'UPDATE'])] },
      });
    }
    return { mutatingPath: mutating, validatingPath: validating };
  }
}

/**
 * Starts the admission webhooks of `resource` on `host`'s webhook server (a Manager's, or a
 * server of your own).
 */
export function admissionFor<T extends KubeObject>(host: WebhookHost, resource: Resource<T>): AdmissionBuilder<T> {
  return new AdmissionBuilder(host instanceof WebhookServer ? host : host.webhookServer, resource);
}
