/**
 * The round-trip property test of a conversion, run by every scaffolded conversion's test.
 * @module
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../api/resource.js';
import { OpkitError } from '../../errors/opkit-error.js';
import type { Conversion } from '../../webhook/conversion/conversion.js';
import { isJsonObject, jsonEqual, toJson, type JsonValue } from '../../webhook/conversion/lossless.js';
import { arbitraryOf, schemaProblems, type StructuralSchema } from './schema.js';

/** A CRD as far as the round trip reads it: its versions' schemas. */
export interface CrdSchemas {
  readonly spec: { readonly versions: ReadonlyArray<{ readonly name: string; readonly schema?: { readonly openAPIV3Schema?: StructuralSchema } }> };
}

/** Options of {@link checkConversionRoundTrip}. */
export interface RoundTripOptions {
  /**
   * The kind's CRD, as a path to its YAML manifest or as the parsed object: objects of each version
   * are generated from, and converted objects checked against, that version's schema.
   */
  readonly crd?: string | CrdSchemas;
  /** Arbitrary objects per version name (only `spec`, `status` and other top-level fields count; apiVersion, kind and metadata are set here). Win over the CRD's. */
  readonly arbitraries?: Readonly<Record<string, fc.Arbitrary<KubeObject>>>;
  /** Cases per version and direction (default 100). */
  readonly numRuns?: number;
  /** fast-check seed, to replay a failure (the error message names it). */
  readonly seed?: number;
}

/** Why {@link checkConversionRoundTrip} failed: `Failed` (a counterexample) or `InvalidInput` (no schema or arbitrary for a version, an unreadable CRD). */
export class RoundTripError extends OpkitError {
  declare readonly reason: 'Failed' | 'InvalidInput';
}

const metadataArbitrary = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
    namespace: fc.constantFrom('default', 'team-a'),
    uid: fc.uuid(),
    labels: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/), { maxKeys: 2 }),
    annotations: fc.dictionary(fc.stringMatching(/^example\.com\/[a-z]{1,8}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
  },
  { requiredKeys: ['name', 'namespace', 'uid'] },
);

/** `object` with empty `metadata.labels`/`annotations` maps dropped: Kubernetes does not keep them (they are `omitempty`). */
function withoutEmptyMaps(object: JsonValue): JsonValue {
  if (!isJsonObject(object) || !isJsonObject(object['metadata'])) return object;
  const metadata = { ...object['metadata'] };
  for (const key of ['labels', 'annotations']) {
    const map = metadata[key];
    if (isJsonObject(map) && Object.keys(map).length === 0) delete metadata[key];
  }
  return { ...object, metadata };
}

function readCrd(crd: string | CrdSchemas): CrdSchemas {
  if (typeof crd !== 'string') return crd;
  let text: string;
  try {
    text = readFileSync(crd, 'utf8');
  } catch (err) {
    throw new RoundTripError({ reason: 'InvalidInput', message: `cannot read the CRD ${crd}: ${err instanceof Error ? err.message : String(err)}`, cause: err });
  }
  const found = parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .find((d): d is CrdSchemas => isJsonObject(d as JsonValue) && (d as { kind?: unknown }).kind === 'CustomResourceDefinition');
  if (found === undefined) throw new RoundTripError({ reason: 'InvalidInput', message: `${crd} holds no CustomResourceDefinition` });
  return found;
}

/**
 * Checks, with fast-check, for arbitrary objects `x` of every spoke version and `h` of the hub,
 * that converting there and back through the lossless layer gives the object back —
 * `fromHub(toHub(x)) ≡ x` and `toHub(fromHub(h)) ≡ h` — and that every converted object fits the
 * target version's schema (no field the API server would prune, no value it would refuse).
 *
 * Guarantees: on failure it throws a {@link RoundTripError} naming the versions, the direction, the
 * shrunk counterexample and the seed to replay it; a converter that throws fails the check too.
 *
 * Caveats: objects come from the schemas (see {@link arbitraryOf}'s caveats) unless `arbitraries`
 * gives them; with neither for a version it throws `InvalidInput`.
 */
export async function checkConversionRoundTrip(conversion: Conversion, options: RoundTripOptions = {}): Promise<void> {
  const crd = options.crd === undefined ? undefined : readCrd(options.crd);
  const schemaOf = (version: string): StructuralSchema | undefined => crd?.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  const arbitraryFor = (version: string): fc.Arbitrary<KubeObject> => {
    const body = options.arbitraries?.[version] ?? (schemaOf(version) === undefined ? undefined : (arbitraryOf(schemaOf(version) as StructuralSchema) as fc.Arbitrary<KubeObject>));
    if (body === undefined) {
      throw new RoundTripError({ reason: 'InvalidInput', message: `no schema for ${conversion.kind} ${version}: pass { crd } with that version, or { arbitraries: { ${version}: … } }` });
    }
    return fc.tuple(body, metadataArbitrary).map(([object, metadata]) => ({ ...object, apiVersion: `${conversion.group}/${version}`, kind: conversion.kind, metadata }) as KubeObject);
  };
  const apiVersion = (version: string): string => `${conversion.group}/${version}`;
  for (const spoke of conversion.versions.filter((v) => v !== conversion.hub)) {
    for (const [from, to] of [
      [spoke, conversion.hub],
      [conversion.hub, spoke],
    ] as const) {
      const there = schemaOf(to);
      const property = fc.asyncProperty(arbitraryFor(from), async (object) => {
        const source = toJson(object, 'the generated object');
        const converted = await conversion.convert(source, apiVersion(to));
        if (there !== undefined) {
          const problems = schemaProblems(converted, there);
          if (problems.length > 0) throw new Error(`converting ${from} → ${to} gives an object that does not fit the ${to} schema:\n  ${problems.join('\n  ')}`);
        }
        const back = await conversion.convert(converted, apiVersion(from));
        if (!jsonEqual(withoutEmptyMaps(back), withoutEmptyMaps(source))) throw new Error(`${from} → ${to} → ${from} changed the object:\n  got ${JSON.stringify(back)}\n  via ${JSON.stringify(converted)}`);
      });
      const result = await fc.check(property, { numRuns: options.numRuns ?? 100, ...(options.seed === undefined ? {} : { seed: options.seed }) });
      if (result.failed) {
        const example = result.counterexample?.[0];
        const cause = result.errorInstance;
        throw new RoundTripError({
          reason: 'Failed',
          message:
            `round trip of ${conversion.kind}.${conversion.group} ${from} → ${to} → ${from} failed after ${result.numRuns} case(s) (seed ${result.seed}, path ${result.counterexamplePath ?? ''}):\n` +
            `  object: ${JSON.stringify(example)}\n  ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
        });
      }
    }
  }
}
