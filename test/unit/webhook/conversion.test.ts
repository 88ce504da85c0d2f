import { describe, expect, it } from 'vitest';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { defineConversion } from '../../../runtime/src/webhook/conversion/conversion.js';
import { ConversionError } from '../../../runtime/src/webhook/conversion/errors.js';
import { conversionDataAnnotation, decodeConversionData, lostFields, restoreFields, type JsonObject } from '../../../runtime/src/webhook/conversion/lossless.js';
import { ConversionWebhook, parseConversionReview } from '../../../runtime/src/webhook/conversion/review.js';
import { gizmoConversion, GizmoV1, GizmoV2 } from '../../support/gizmo-conversion.js';

const V1 = 'conv.opkit.dev/v1';
const V2 = 'conv.opkit.dev/v2';
const V3 = 'conv.opkit.dev/v3';

const metadata = { name: 'g', namespace: 'ns', uid: 'u-1', resourceVersion: '42', generation: 3, labels: { app: 'x' } };

function v2(spec: JsonObject, extraMeta: JsonObject = {}): JsonObject {
  return { apiVersion: V2, kind: 'Gizmo', metadata: { ...metadata, ...extraMeta }, spec, status: { ready: true } };
}
function v1(spec: JsonObject, extraMeta: JsonObject = {}): JsonObject {
  return { apiVersion: V1, kind: 'Gizmo', metadata: { ...metadata, ...extraMeta }, spec, status: { ready: true } };
}

function annotations(o: JsonObject): Record<string, string> | undefined {
  return (o['metadata'] as { annotations?: Record<string, string> }).annotations;
}

describe('hub-and-spoke conversion', () => {
  it('converts to the object\'s own version as the identity (the same object, nothing added)', async () => {
    const object = v1({ replicas: 2, note: 'n' });
    expect(await gizmoConversion.convert(object, V1)).toBe(object);
  });

  it('keeps a hub-only field in the spoke\'s annotation and restores it on the way back, leaving no annotation at the hub', async () => {
    const hub = v2({ size: 3, color: 'red', extra: 'only-in-v2' });
    const spoke = await gizmoConversion.convert(hub, V1);
    expect(spoke['apiVersion']).toBe(V1);
    expect(spoke['spec']).toEqual({ replicas: 3, color: 'red' });
    expect(decodeConversionData(annotations(spoke)?.[conversionDataAnnotation('v2')] ?? '', 'a')).toEqual([{ path: ['spec', 'extra'], value: 'only-in-v2' }]);
    const back = await gizmoConversion.convert(spoke, V2);
    expect(back).toEqual(hub);
    expect(annotations(back)).toBeUndefined();
  });

  it('keeps a spoke-only field in the hub\'s annotation and restores it on the way back', async () => {
    const spoke = v1({ replicas: 1, note: 'only-in-v1' });
    const hub = await gizmoConversion.convert(spoke, V2);
    expect(hub['spec']).toEqual({ size: 1 });
    expect(Object.keys(annotations(hub) ?? {})).toEqual([conversionDataAnnotation('v1')]);
    expect(await gizmoConversion.convert(hub, V1)).toEqual(spoke);
  });

  it('restores a hub-only field after the spoke was changed, and keeps the change', async () => {
    const spoke = await gizmoConversion.convert(v2({ size: 3, extra: 'x' }), V1);
    (spoke['spec'] as JsonObject)['replicas'] = 5;
    (spoke['spec'] as JsonObject)['color'] = 'blue';
    const back = await gizmoConversion.convert(spoke, V2);
    expect(back['spec']).toEqual({ size: 5, color: 'blue', extra: 'x' });
    expect(annotations(back)).toBeUndefined();
  });

  it('puts back a value the spoke narrowed (platinum → premium) unless it was changed through the spoke', async () => {
    const spoke = await gizmoConversion.convert(v2({ tier: 'platinum' }), V1);
    expect(spoke['spec']).toEqual({ tier: 'premium' });
    expect((await gizmoConversion.convert(spoke, V2))['spec']).toEqual({ tier: 'platinum' });
    const changed = structuredClone(spoke);
    (changed['spec'] as JsonObject)['tier'] = 'basic';
    expect((await gizmoConversion.convert(changed, V2))['spec']).toEqual({ tier: 'basic' });
  });

  it('leaves metadata as it was, apart from its own annotation, whatever the converter returns', async () => {
    const meddling = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: (o) => ({ ...o, metadata: { name: 'other', labels: {} } }),
      fromHub: (o) => ({ ...o, metadata: {} }) as GizmoV1,
    });
    const object = v1({ replicas: 1 }, { annotations: { keep: 'me' } });
    const converted = await meddling.convert(object, V2);
    expect(converted['metadata']).toEqual(object['metadata']);
  });

  it('leaves other versions\' data in place and an empty annotations map of the user\'s as it was', async () => {
    const withOther = v1({ replicas: 1 }, { annotations: { [conversionDataAnnotation('v9')]: '{"lost":[]}' } });
    expect(annotations(await gizmoConversion.convert(withOther, V2))).toEqual({ [conversionDataAnnotation('v9')]: '{"lost":[]}' });
    const empty = v1({ replicas: 1 }, { annotations: {} });
    expect(annotations(await gizmoConversion.convert(empty, V2))).toEqual({});
  });

  it('converts spoke to spoke through the hub, and back without loss', async () => {
    interface GizmoV3 extends KubeObject { spec?: { count?: number } }
    const GizmoV3: Resource<GizmoV3> = { ...GizmoV1, version: 'v3' } as Resource<GizmoV3>;
    const three = gizmoConversion.spoke(GizmoV3, {
      toHub: ({ spec, ...o }) => (spec?.count === undefined ? o : { ...o, spec: { size: spec.count } }),
      fromHub: ({ spec, ...o }) => (spec?.size === undefined ? o : { ...o, spec: { count: spec.size } }),
    });
    expect(three.versions).toEqual(['v2', 'v1', 'v3']);
    const source = v1({ replicas: 4, color: 'red', note: 'n' });
    const atV3 = await three.convert(source, V3);
    expect(atV3['spec']).toEqual({ count: 4 });
    expect(await three.convert(atV3, V1)).toEqual(source);
  });

  it('rejects a converter that throws with an error naming the object, the versions and the converter', async () => {
    const broken = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: () => {
        throw new Error('boom');
      },
      fromHub: (o) => o as GizmoV1,
    });
    const err = await broken.convert(v1({}), V2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConversionError);
    expect(err).toMatchObject({ reason: 'ConverterFailed', message: 'Gizmo ns/g: converting Gizmo.conv.opkit.dev from v1 to v2: toHub of v1 threw: boom' });
  });

  it('rejects versions, kinds and converter results it cannot handle, naming them', async () => {
    await expect(gizmoConversion.convert(v1({}), V3)).rejects.toMatchObject({ reason: 'UnknownVersion', message: 'Gizmo ns/g: no conversion for version v3 of Gizmo.conv.opkit.dev (it converts v2, v1)' });
    await expect(gizmoConversion.convert({ ...v1({}), kind: 'Other' }, V2)).rejects.toMatchObject({ reason: 'UnknownKind' });
    await expect(gizmoConversion.convert({ metadata: {} }, V2)).rejects.toMatchObject({ reason: 'InvalidObject' });
    const toNull = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, { toHub: () => null as never, fromHub: (o) => o as GizmoV1 });
    await expect(toNull.convert(v1({}), V2)).rejects.toMatchObject({ reason: 'ConverterFailed', message: expect.stringContaining('toHub of v1 returned null, not an object') });
    const cyclic = defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, {
      toHub: (o) => {
        const c: Record<string, unknown> = { ...o };
        c['self'] = c;
        return c;
      },
      fromHub: (o) => o as GizmoV1,
    });
    await expect(cyclic.convert(v1({}), V2)).rejects.toMatchObject({ reason: 'NotJson' });
    const garbled = v1({}, { annotations: { [conversionDataAnnotation('v2')]: 'not json' } });
    await expect(gizmoConversion.convert(garbled, V2)).rejects.toMatchObject({ reason: 'InvalidConversionData', message: expect.stringContaining('conversion.opkit.dev/v2-data') });
  });

  it('refuses a wrong definition: another kind, the hub as a spoke, a spoke twice, a missing function', () => {
    const other: Resource = { ...GizmoV1, kind: 'Widget' };
    expect(() => defineConversion({ hub: GizmoV2 }).spoke(other, { toHub: (o) => o as GizmoV2, fromHub: (o) => o })).toThrow(/spoke Widget.v1.conv.opkit.dev is another kind/);
    expect(() => defineConversion({ hub: GizmoV2 }).spoke(GizmoV2, { toHub: (o) => o, fromHub: (o) => o })).toThrow(/v2 is the hub/);
    expect(() => gizmoConversion.spoke(GizmoV1, { toHub: (o) => o as GizmoV2, fromHub: (o) => o as GizmoV1 })).toThrow(/spoke v1 is added twice/);
    expect(() => defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, { toHub: (o: KubeObject) => o } as never)).toThrow(/needs both toHub and fromHub/);
    expect(() => defineConversion({} as never)).toThrow(ConversionError);
  });
});

describe('lost fields', () => {
  it('records differences at the deepest path, list elements by position, and restores them only where unchanged', () => {
    const source: JsonObject = { spec: { ports: [{ port: 80, app: 'http' }, { port: 443 }], gone: { a: 1 } } };
    const back: JsonObject = { spec: { ports: [{ port: 80 }, { port: 443 }], added: true } };
    const lost = lostFields(source, back);
    expect(lost).toEqual([
      { path: ['spec', 'ports', 0, 'app'], value: 'http', listLengths: [2] },
      { path: ['spec', 'gone'], value: { a: 1 } },
      { path: ['spec', 'added'], was: true },
    ]);
    expect(restoreFields(structuredClone(back), lost)).toEqual(source);
    // the first port was removed in between: its field is not grafted onto the other one
    expect(restoreFields({ spec: { ports: [{ port: 443 }] } }, lost)).toEqual({ spec: { ports: [{ port: 443 }], gone: { a: 1 } } });
    // a port was changed in between (same length): the lost field goes back onto its element
    expect(restoreFields({ spec: { ports: [{ port: 8080 }, { port: 443 }] } }, lost)).toEqual({ spec: { ports: [{ port: 8080, app: 'http' }, { port: 443 }], gone: { a: 1 } } });
  });

  it('never restores into apiVersion, kind or metadata, whatever the annotation says', () => {
    expect(restoreFields({ metadata: { name: 'a' } }, [{ path: ['metadata', 'name'], value: 'b', was: 'a' }])).toEqual({ metadata: { name: 'a' } });
  });
});

function review(objects: unknown[], desiredAPIVersion = V2): JsonObject {
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'req-1', desiredAPIVersion, objects } } as JsonObject;
}

describe('ConversionReview v1', () => {
  const webhook = new ConversionWebhook().add(gizmoConversion);

  it('echoes the uid and converts every object, in order', async () => {
    const answer = await webhook.handle(review([v1({ replicas: 1 }), v1({ replicas: 2 }), v2({ size: 3 })]));
    expect(answer).toMatchObject({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: 'req-1', result: { status: 'Success' } } });
    expect(answer.response.convertedObjects.map((o) => [o['apiVersion'], o['spec']])).toEqual([[V2, { size: 1 }], [V2, { size: 2 }], [V2, { size: 3 }]]);
  });

  it('answers Failure naming the object and the versions when any object fails, and converts none', async () => {
    const answer = await webhook.handle(review([v1({ replicas: 1 }), { ...v1({}), apiVersion: 'conv.opkit.dev/v7' }]));
    expect(answer.response).toEqual({ uid: 'req-1', convertedObjects: [], result: { status: 'Failure', message: 'Gizmo ns/g: no conversion for version v7 of Gizmo.conv.opkit.dev (it converts v2, v1)' } });
    const unknown = await webhook.handle(review([{ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' } }]));
    expect(unknown.response.result).toEqual({ status: 'Failure', message: 'Thing t (x.io/v1): no conversion is registered for Thing.x.io (registered: Gizmo.conv.opkit.dev)' });
  });

  it('throws MalformedReview, naming what is wrong, for a body that is not a ConversionReview v1', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['text', /not a JSON object/],
      [{ apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'ConversionReview', request: {} }, /conversionReviewVersions: \[v1\]/],
      [{ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }, /no request/],
      [review([]).request && { ...review([]), request: { desiredAPIVersion: V2, objects: [] } }, /request.uid is missing/],
      [{ ...review([]), request: { uid: 'u', desiredAPIVersion: 'v2', objects: [] } }, /desiredAPIVersion is "v2", not group\/version/],
      [{ ...review([]), request: { uid: 'u', desiredAPIVersion: V2, objects: [1] } }, /objects is not a list of objects/],
    ];
    for (const [body, message] of cases) {
      expect(() => parseConversionReview(body)).toThrow(message);
      expect(() => parseConversionReview(body)).toThrow(expect.objectContaining({ reason: 'MalformedReview' }));
    }
  });

  it('refuses to register one kind twice', () => {
    expect(() => new ConversionWebhook().add(gizmoConversion).add(gizmoConversion)).toThrow(/Gizmo.conv.opkit.dev is registered twice/);
  });
});
