/**
 * `conversionFor(mgr, …)`: serves a kind's conversion on the manager's webhook server at
 * `/convert`, the one path every kind's conversion shares.
 * @module
 */
import type { KubeObject, Resource } from '../../api/resource.js';
import type { Logger } from '../../log/logger.js';
import type { WebhookHost } from '../admission/builder.js';
import { WebhookServer } from '../server.js';
import { Conversion, defineConversion, type ConversionOptions, type SpokeConverter } from './conversion.js';
import { CONVERSION_PATH, ConversionWebhook } from './review.js';

/** Builds and registers the conversion of one kind: `conversionFor(mgr, { hub }).spoke(…).complete()`. */
export interface ConversionBuilder<H extends KubeObject> {
  /** Adds a spoke version (see {@link Conversion.spoke}). */
  spoke<S extends KubeObject>(resource: Resource<S>, converter: SpokeConverter<S, H>): ConversionBuilder<H>;
  /**
   * Serves the conversion on the webhook server at `/convert` (registering the shared handler the
   * first time) and returns it.
   * @throws ConversionError (`InvalidDefinition`) when the kind is served already; WebhookError
   * `DuplicatePath` when something other than a conversion webhook holds `/convert`.
   */
  complete(): Conversion<H>;
}

/** Options of {@link conversionFor} besides the conversion. */
export interface ConversionForOptions {
  /** Receives a warning per failed review, when this call registers the shared handler (default: silent). */
  readonly logger?: Logger;
}

const WEBHOOKS = Symbol('opkit.conversionWebhook');

type TaggedHandler = ConversionWebhook['handler'] & { readonly [WEBHOOKS]?: ConversionWebhook };

/**
 * The conversion webhook of `server`: the one registered at `/convert`, or a new one registered
 * there now.
 */
export function conversionWebhookOf(server: WebhookServer, options: ConversionForOptions = {}): ConversionWebhook {
  const existing = server.handlerAt(CONVERSION_PATH) as TaggedHandler | undefined;
  const found = existing?.[WEBHOOKS];
  if (found !== undefined) return found;
  const webhook = new ConversionWebhook(options.logger === undefined ? {} : { logger: options.logger });
  const handler: TaggedHandler = Object.assign((...args: Parameters<ConversionWebhook['handler']>) => webhook.handler(...args), { [WEBHOOKS]: webhook });
  // `server.register` throws DuplicatePath when another handler holds /convert.
  server.register(CONVERSION_PATH, handler, { name: 'conversion', description: webhook.description });
  return webhook;
}

/**
 * Serves the conversion of a kind on a webhook server (a Manager's, `mgr`, or a
 * {@link WebhookServer} itself), at `/convert` (kubebuilder's path,
 * which `opkit generate crd` writes into the CRD's `spec.conversion`):
 *
 * ```ts
 * conversionFor(mgr, { hub: WidgetV2 })
 *   .spoke(WidgetV1, { toHub: (v1) => ({ ... }), fromHub: (v2) => ({ ... }) })
 *   .complete();
 * // or, with a conversion defined (and tested) in its own module:
 * conversionFor(mgr, widgetConversion).complete();
 * ```
 *
 * Guarantees: every kind's conversion shares one handler at `/convert`, dispatching by group and
 * kind; the lossless layer and the review handling of {@link ConversionWebhook} apply.
 */
export function conversionFor<H extends KubeObject>(host: WebhookHost, conversion: Conversion<H> | ConversionOptions<H>, options: ConversionForOptions = {}): ConversionBuilder<H> {
  const start = conversion instanceof Conversion ? conversion : defineConversion(conversion);
  const builder = (current: Conversion<H>): ConversionBuilder<H> => ({
    spoke: (resource, converter) => builder(current.spoke(resource, converter)),
    complete: () => {
      conversionWebhookOf(host instanceof WebhookServer ? host : host.webhookServer, options).add(current as unknown as Conversion);
      return current;
    },
  });
  return builder(start);
}
