/**
 * ConversionReview v1 (apiextensions.k8s.io/v1): what the API server sends to a CRD's conversion
 * webhook and what it expects back, and {@link ConversionWebhook}, which answers it for any
 * number of kinds.
 * @module
 */
import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import type { ConversionRequest, ConversionResponse, ConversionReview } from '../review.js';
import type { WebhookDescription, WebhookHandler } from '../server.js';
import type { Conversion } from './conversion.js';
import { describeObject } from './conversion.js';
import { ConversionError } from './errors.js';
import { isJsonObject, type JsonObject } from './lossless.js';

/** The path the conversion webhook is served at (kubebuilder's and controller-runtime's). */
export const CONVERSION_PATH = '/convert';

/** A ConversionReview v1 with its response (what {@link ConversionWebhook.handle} answers). */
export type ConversionReviewResponse = ConversionReview & { readonly response: ConversionResponse };

const REVIEW_API_VERSION = 'apiextensions.k8s.io/v1';

function malformed(message: string): ConversionError {
  return new ConversionError({ reason: 'MalformedReview', message: `malformed ConversionReview: ${message}` });
}

/**
 * Reads the request of a ConversionReview v1.
 * @throws ConversionError (`MalformedReview`) naming what is wrong: not an object, another
 * apiVersion or kind (v1beta1 is not served: declare `conversionReviewVersions: [v1]`), no
 * `request`, no `request.uid`, no `desiredAPIVersion` of the form `group/version`, `objects` not a
 * list of objects.
 */
export function parseConversionReview(body: unknown): ConversionRequest {
  if (!isJsonObject(body)) throw malformed('the body is not a JSON object');
  if (body['kind'] !== 'ConversionReview' || body['apiVersion'] !== REVIEW_API_VERSION) {
    throw malformed(`expected apiVersion ${REVIEW_API_VERSION}, kind ConversionReview, got ${String(body['apiVersion'])} ${String(body['kind'])} (the CRD must list conversionReviewVersions: [v1])`);
  }
  const request = body['request'];
  if (!isJsonObject(request)) throw malformed('no request');
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') throw malformed('request.uid is missing');
  const desired = request['desiredAPIVersion'];
  if (typeof desired !== 'string' || !/^[^/]+\/[^/]+$/.test(desired)) throw malformed(`request.desiredAPIVersion is ${JSON.stringify(desired)}, not group/version`);
  const objects = request['objects'];
  if (!Array.isArray(objects) || !objects.every(isJsonObject)) throw malformed('request.objects is not a list of objects');
  return { uid, desiredAPIVersion: desired, objects: objects as JsonObject[] };
}

/** Options of {@link ConversionWebhook}. */
export interface ConversionWebhookOptions {
  /** Receives a warning per failed review (default silent). */
  readonly logger?: Logger;
}

/**
 * Answers ConversionReviews for the kinds {@link ConversionWebhook.add | added} to it: one handler
 * serves every kind at {@link CONVERSION_PATH}, dispatching by group and kind.
 *
 * Guarantees: the response echoes `request.uid`; objects come back in the request's order; a
 * failure of any object (no conversion for its kind or version, a converter that throws) is a
 * `Failure` naming the object, its version, the desired version and the converter, and nothing is
 * converted — it never throws for a well-formed review.
 *
 * Caveats: a malformed review throws a `MalformedReview` {@link ConversionError}: the webhook server
 * answers it with HTTP 400.
 */
export class ConversionWebhook {
  readonly #conversions = new Map<string, Conversion>();
  readonly #logger: Logger;

  /**
   * What the handler serves, for installing it (a test environment's webhook install): live, so a
   * kind added after registering is included. Caveats: names the group of the first kind added.
   */
  readonly description: WebhookDescription;

  constructor(options: ConversionWebhookOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    const conversions = this.#conversions;
    this.description = {
      type: 'conversion',
      get group(): string {
        return [...conversions.values()][0]?.group ?? '';
      },
      get kinds(): string[] {
        return [...conversions.values()].map((c) => c.kind);
      },
    };
  }

  /**
   * The handler to register at {@link CONVERSION_PATH} on a webhook server (`conversionFor` does).
   * A review the server let through that is still malformed (an object that is not an object) is
   * thrown, which the server answers as a Failure naming the handler.
   */
  readonly handler: WebhookHandler = async (review) => {
    const answer = await this.handle(review);
    return { response: answer.response };
  };

  /** The kinds served, as `Kind.group`. */
  get kinds(): readonly string[] {
    return [...this.#conversions.keys()];
  }

  /**
   * Serves `conversion`'s kind.
   * @throws ConversionError (`InvalidDefinition`) when the kind is served already.
   */
  add(conversion: Conversion): this {
    const key = `${conversion.kind}.${conversion.group}`;
    if (this.#conversions.has(key)) throw new ConversionError({ reason: 'InvalidDefinition', message: `the conversion of ${key} is registered twice` });
    this.#conversions.set(key, conversion);
    return this;
  }

  /** Answers one ConversionReview (the raw JSON body). @throws ConversionError `MalformedReview`. */
  async handle(body: unknown): Promise<ConversionReviewResponse> {
    const request = parseConversionReview(body);
    const convertedObjects: JsonObject[] = [];
    try {
      for (const object of request.objects) convertedObjects.push(await this.#convert(object as JsonObject, request.desiredAPIVersion));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#logger.warn('conversion failed', { uid: request.uid, desiredAPIVersion: request.desiredAPIVersion, err });
      return review({ uid: request.uid, convertedObjects: [], result: { status: 'Failure', message } });
    }
    return review({ uid: request.uid, convertedObjects, result: { status: 'Success' } });
  }

  #convert(object: JsonObject, desired: string): Promise<JsonObject> {
    const apiVersion = object['apiVersion'];
    const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
    const conversion = this.#conversions.get(`${String(object['kind'])}.${group}`);
    if (conversion === undefined) {
      const served = this.kinds.length > 0 ? this.kinds.join(', ') : 'none';
      throw new ConversionError({ reason: 'UnknownKind', message: `${describeObject(object)} (${String(apiVersion)}): no conversion is registered for ${String(object['kind'])}.${group} (registered: ${served})` });
    }
    return conversion.convert(object, desired);
  }
}

function review(response: ConversionResponse): ConversionReviewResponse {
  return { apiVersion: REVIEW_API_VERSION, kind: 'ConversionReview', response };
}
