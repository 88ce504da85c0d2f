/**
 * Hub-and-spoke conversion of one kind: one version is the hub, every other version (a spoke)
 * converts to and from it. Converting between two spokes goes through the hub.
 * @module
 */
import type { KubeObject, Resource } from '../../api/resource.js';
import { ConversionError } from './errors.js';
import {
  conversionDataAnnotation,
  decodeConversionData,
  encodeConversionData,
  isConversionDataAnnotation,
  isJsonObject,
  lostFields,
  restoreFields,
  toJson,
  type JsonObject,
} from './lossless.js';

/**
 * How one spoke version converts to and from the hub. Both functions get a copy of the object
 * (without opkit's conversion data annotations) and may change it and return it; they may be
 * async.
 *
 * Caveats: `apiVersion`, `kind` and `metadata` of what they return are ignored: the result gets
 * the target's apiVersion and the source's metadata (the API server refuses any other metadata
 * change). Fields one side has no place for need no code: the lossless layer keeps them (see
 * {@link conversionDataAnnotation}).
 */
export interface SpokeConverter<S extends KubeObject, H extends KubeObject> {
  /** The spoke object at the hub version. */
  toHub(spoke: S): H | Promise<H>;
  /** The hub object at the spoke version. */
  fromHub(hub: H): S | Promise<S>;
}

/** Options of {@link defineConversion}. */
export interface ConversionOptions<H extends KubeObject> {
  /** The hub version's descriptor; its group and kind are the conversion's. */
  readonly hub: Resource<H>;
}

/** A spoke converter with its type erased (what {@link Conversion} stores). */
type AnySpoke = SpokeConverter<KubeObject, KubeObject>;

/** `Kind namespace/name` (or `Kind name`) of an object, for messages. */
export function describeObject(object: KubeObject): string {
  const name = object.metadata?.name ?? object.metadata?.generateName ?? '<unnamed>';
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? '<no kind>'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Splits `group/version` (or a core `version`). */
function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function metadataOf(object: JsonObject): JsonObject {
  const metadata = object['metadata'];
  return isJsonObject(metadata) ? metadata : {};
}

function annotationsOf(object: JsonObject): JsonObject {
  const annotations = metadataOf(object)['annotations'];
  return isJsonObject(annotations) ? annotations : {};
}

/** A deep copy of JSON data (faster than structuredClone for plain JSON). */
function copyJson<T extends JsonObject>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A copy of `object` without any conversion data annotation. */
function withoutConversionData(object: JsonObject): JsonObject {
  const copy = copyJson(object);
  const metadata = copy['metadata'];
  if (!isJsonObject(metadata) || !isJsonObject(metadata['annotations'])) return copy;
  const annotations = metadata['annotations'];
  let removed = false;
  for (const key of Object.keys(annotations)) {
    if (isConversionDataAnnotation(key)) {
      delete annotations[key];
      removed = true;
    }
  }
  if (removed && Object.keys(annotations).length === 0) delete metadata['annotations'];
  return copy;
}

/**
 * The conversion of one kind, hub and spokes. Immutable: {@link Conversion.spoke} returns a new
 * conversion, so one can be exported from a module and used by the webhook and by tests alike.
 *
 * Guarantees:
 * - converting to the object's own version returns it unchanged (identity);
 * - the result has the desired apiVersion, the source's kind and the source's metadata, except the
 *   `conversion.opkit.dev/<version>-data` annotations (see {@link conversionDataAnnotation}):
 *   what the target version cannot carry is kept there, and what an earlier conversion kept for
 *   the target version is put back and its annotation removed; no annotation is added when
 *   nothing was lost;
 * - a converter that throws, or returns what JSON cannot hold, rejects with a
 *   {@link ConversionError} naming the object, the versions and the converter.
 *
 * Caveats: each step calls its converter and then the opposite one (to learn what is lost), so
 * converters should be pure and deterministic.
 */
export class Conversion<H extends KubeObject = KubeObject> {
  /** The API group. */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
  /** The hub version's name. */
  readonly hub: string;
  readonly #spokes: ReadonlyMap<string, AnySpoke>;

  /** Use {@link defineConversion}. */
  constructor(options: { readonly group: string; readonly kind: string; readonly hub: string; readonly spokes?: ReadonlyMap<string, AnySpoke> }) {
    this.group = options.group;
    this.kind = options.kind;
    this.hub = options.hub;
    this.#spokes = options.spokes ?? new Map();
  }

  /** Every version it converts between: the hub first, then the spokes in the order added. */
  get versions(): readonly string[] {
    return [this.hub, ...this.#spokes.keys()];
  }

  /**
   * This conversion with one more spoke.
   * @throws ConversionError (`InvalidDefinition`) when the spoke is of another group or kind, is
   * the hub, or was added already.
   */
  spoke<S extends KubeObject>(resource: Resource<S>, converter: SpokeConverter<S, H>): Conversion<H> {
    const where = `conversion of ${this.kind}.${this.group}`;
    if (resource.group !== this.group || resource.kind !== this.kind) {
      throw new ConversionError({ reason: 'InvalidDefinition', message: `${where}: spoke ${resource.kind}.${resource.version}.${resource.group} is another kind; every version must be ${this.kind}.${this.group}` });
    }
    if (resource.version === this.hub) throw new ConversionError({ reason: 'InvalidDefinition', message: `${where}: ${resource.version} is the hub; it cannot be a spoke too` });
    if (this.#spokes.has(resource.version)) throw new ConversionError({ reason: 'InvalidDefinition', message: `${where}: spoke ${resource.version} is added twice` });
    if (typeof converter?.toHub !== 'function' || typeof converter.fromHub !== 'function') {
      throw new ConversionError({ reason: 'InvalidDefinition', message: `${where}: spoke ${resource.version} needs both toHub and fromHub functions` });
    }
    const spokes = new Map(this.#spokes);
    spokes.set(resource.version, converter as unknown as AnySpoke);
    return new Conversion<H>({ group: this.group, kind: this.kind, hub: this.hub, spokes });
  }

  /**
   * Converts `object` to `desiredApiVersion` (`group/version`), through the hub.
   * @throws ConversionError: `InvalidObject`, `UnknownKind`, `UnknownVersion`, `ConverterFailed`,
   * `NotJson`, `InvalidConversionData`.
   */
  async convert(object: unknown, desiredApiVersion: string): Promise<JsonObject> {
    if (!isJsonObject(object) || typeof object['apiVersion'] !== 'string' || typeof object['kind'] !== 'string') {
      throw new ConversionError({ reason: 'InvalidObject', message: 'an object to convert has no apiVersion or kind' });
    }
    const source = object;
    const label = describeObject(source as KubeObject);
    const from = splitApiVersion(source['apiVersion'] as string);
    const to = splitApiVersion(desiredApiVersion);
    if (from.group !== this.group || source['kind'] !== this.kind || to.group !== this.group) {
      throw new ConversionError({ reason: 'UnknownKind', message: `${label}: the conversion of ${this.kind}.${this.group} cannot convert ${String(source['kind'])} from ${String(source['apiVersion'])} to ${desiredApiVersion}` });
    }
    if (from.version === to.version) return source;
    for (const version of [from.version, to.version]) {
      if (version !== this.hub && !this.#spokes.has(version)) {
        throw new ConversionError({ reason: 'UnknownVersion', message: `${label}: no conversion for version ${version} of ${this.kind}.${this.group} (it converts ${this.versions.join(', ')})` });
      }
    }
    const atHub = from.version === this.hub ? source : await this.#up(source, from.version, label);
    return to.version === this.hub ? atHub : this.#down(atHub, to.version, label);
  }

  /** The spoke object at `version` as the hub object. */
  #up(object: JsonObject, version: string, label: string): Promise<JsonObject> {
    const spoke = this.#spokes.get(version) as AnySpoke;
    return this.#hop(object, { from: version, to: this.hub, label, forward: [spoke.toHub, `toHub of ${version}`], backward: [spoke.fromHub, `fromHub of ${version}`] });
  }

  /** The hub object as the spoke object at `version`. */
  #down(object: JsonObject, version: string, label: string): Promise<JsonObject> {
    const spoke = this.#spokes.get(version) as AnySpoke;
    return this.#hop(object, { from: this.hub, to: version, label, forward: [spoke.fromHub, `fromHub of ${version}`], backward: [spoke.toHub, `toHub of ${version}`] });
  }

  async #call(fn: (o: KubeObject) => KubeObject | Promise<KubeObject>, name: string, input: JsonObject, step: { from: string; to: string; label: string }): Promise<JsonObject> {
    const what = `${step.label}: converting ${this.kind}.${this.group} from ${step.from} to ${step.to}: ${name}`;
    let result: unknown;
    try {
      result = await fn(copyJson(input) as KubeObject);
    } catch (err) {
      throw new ConversionError({ reason: 'ConverterFailed', message: `${what} threw: ${err instanceof Error ? err.message : String(err)}`, cause: err });
    }
    const json = toJson(result, `what ${name} returned for ${step.label}`);
    if (!isJsonObject(json)) throw new ConversionError({ reason: 'ConverterFailed', message: `${what} returned ${json === null ? 'null' : typeof json}, not an object` });
    return json;
  }

  async #hop(
    source: JsonObject,
    step: { from: string; to: string; label: string; forward: [AnySpoke['toHub'], string]; backward: [AnySpoke['toHub'], string] },
  ): Promise<JsonObject> {
    const clean = withoutConversionData(source);
    const targetApiVersion = `${this.group}/${step.to}`;
    const sourceApiVersion = `${this.group}/${step.from}`;
    const converted = await this.#call(step.forward[0], step.forward[1], clean, step);
    const body: JsonObject = Object.fromEntries(Object.entries(converted).filter(([key]) => key !== 'apiVersion' && key !== 'kind' && key !== 'metadata'));
    const keptKey = conversionDataAnnotation(step.to);
    const kept = annotationsOf(source)[keptKey];
    if (typeof kept === 'string') restoreFields(body, decodeConversionData(kept, keptKey));
    const target: JsonObject = { apiVersion: targetApiVersion, kind: this.kind, metadata: metadataOf(clean), ...body };
    const back = await this.#call(step.backward[0], step.backward[1], target, { from: step.to, to: step.from, label: step.label });
    const lost = lostFields(clean, { ...back, apiVersion: sourceApiVersion });
    // The source's metadata, minus the annotation consumed, plus the one for what is lost now.
    const metadata = copyJson(metadataOf(source));
    const annotations = isJsonObject(metadata['annotations']) ? metadata['annotations'] : {};
    const lostKey = conversionDataAnnotation(step.from);
    delete annotations[keptKey];
    if (lost.length > 0) annotations[lostKey] = encodeConversionData(lost);
    else delete annotations[lostKey];
    if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
    else if (isJsonObject(metadata['annotations']) && !isJsonObject(metadataOf(clean)['annotations'])) delete metadata['annotations'];
    const hadMetadata = isJsonObject(source['metadata']) || Object.keys(metadata).length > 0;
    return { apiVersion: targetApiVersion, kind: this.kind, ...(hadMetadata ? { metadata } : {}), ...body };
  }
}

/**
 * Declares the conversion of a kind whose hub is `options.hub`; add the other versions with
 * {@link Conversion.spoke}:
 *
 * ```ts
 * export const widgetConversion = defineConversion({ hub: WidgetV2 })
 *   .spoke(WidgetV1, { toHub: (v1) => ({ ...v1, spec: { size: v1.spec?.replicas } }), fromHub: (v2) => ... });
 * ```
 */
export function defineConversion<H extends KubeObject>(options: ConversionOptions<H>): Conversion<H> {
  const hub = options?.hub;
  if (hub === undefined || typeof hub.group !== 'string' || typeof hub.kind !== 'string' || typeof hub.version !== 'string') {
    throw new ConversionError({ reason: 'InvalidDefinition', message: 'defineConversion needs { hub: <the hub version\'s Resource descriptor> }' });
  }
  return new Conversion<H>({ group: hub.group, kind: hub.kind, hub: hub.version });
}
