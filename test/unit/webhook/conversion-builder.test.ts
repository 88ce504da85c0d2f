import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../runtime/src/api/resource.js';
import { conversionFor } from '../../../runtime/src/webhook/conversion/builder.js';
import { defineConversion } from '../../../runtime/src/webhook/conversion/conversion.js';
import type { IncomingReview } from '../../../runtime/src/webhook/review.js';
import { WebhookServer } from '../../../runtime/src/webhook/server.js';
import { silentLogger } from '../../../runtime/src/log/logger.js';
import { gizmoConversion, GizmoV1, GizmoV2 } from '../../support/gizmo-conversion.js';

const Thing1: Resource = { group: 'other.opkit.dev', version: 'v1', kind: 'Thing', plural: 'things', namespaced: true };
const Thing2: Resource = { ...Thing1, version: 'v2' };

function review(objects: unknown[], desiredAPIVersion: string): IncomingReview {
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion, objects } } as IncomingReview;
}

describe('conversionFor', () => {
  it('serves every kind from one handler at /convert, and describes them for installing', async () => {
    const server = new WebhookServer({ port: 0 });
    const mgr = { webhookServer: server };
    expect(conversionFor(mgr, gizmoConversion).complete()).toBe(gizmoConversion);
    conversionFor(mgr, { hub: Thing2 }).spoke(Thing1, { toHub: (o) => o, fromHub: (o) => o }).complete();
    expect(server.webhooks()).toEqual([{ path: '/convert', description: expect.objectContaining({ type: 'conversion', group: 'conv.opkit.dev', kinds: ['Gizmo', 'Thing'] }) }]);
    const handler = server.handlerAt('/convert');
    const ctx = { path: '/convert', signal: new AbortController().signal, logger: silentLogger };
    const gizmo = await handler?.(review([{ apiVersion: 'conv.opkit.dev/v1', kind: 'Gizmo', metadata: { name: 'g' }, spec: { replicas: 1 } }], 'conv.opkit.dev/v2'), ctx);
    expect(gizmo).toEqual({ response: { uid: 'u', result: { status: 'Success' }, convertedObjects: [{ apiVersion: 'conv.opkit.dev/v2', kind: 'Gizmo', metadata: { name: 'g' }, spec: { size: 1 } }] } });
    const thing = await handler?.(review([{ apiVersion: 'other.opkit.dev/v1', kind: 'Thing', metadata: { name: 't' } }], 'other.opkit.dev/v2'), ctx);
    expect(thing?.response).toMatchObject({ result: { status: 'Success' }, convertedObjects: [{ apiVersion: 'other.opkit.dev/v2', kind: 'Thing' }] });
  });

  it('refuses the same kind twice, and a /convert path another handler holds', () => {
    const server = new WebhookServer({ port: 0 });
    conversionFor({ webhookServer: server }, gizmoConversion).complete();
    expect(() => conversionFor({ webhookServer: server }, defineConversion({ hub: GizmoV2 }).spoke(GizmoV1, { toHub: (o) => o as GizmoV2, fromHub: (o) => o as GizmoV1 })).complete()).toThrow(/Gizmo.conv.opkit.dev is registered twice/);
    const taken = new WebhookServer({ port: 0 });
    taken.register('/convert', () => ({ response: { convertedObjects: [], result: { status: 'Success' } } }));
    expect(() => conversionFor({ webhookServer: taken }, gizmoConversion).complete()).toThrow(expect.objectContaining({ reason: 'DuplicatePath' }));
  });
});
