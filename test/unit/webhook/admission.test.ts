import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../../runtime/src/log/logger.js';
import { admissionFor, mutatingPath, validatingPath } from '../../../runtime/src/webhook/admission/builder.js';
import { AdmissionDenied } from '../../../runtime/src/webhook/admission/denial.js';
import { defaultingHandler, validatingHandler, type AdmissionContext } from '../../../runtime/src/webhook/admission/handlers.js';
import { applyJsonPatch, type JsonPatchOperation } from '../../../runtime/src/webhook/admission/json-patch.js';
import type { AdmissionResponse, IncomingReview } from '../../../runtime/src/webhook/review.js';
import { WebhookServer } from '../../../runtime/src/webhook/server.js';
import { Widget } from '../../support/widget.js';
import { admissionReview } from './support.js';

const ctx = { path: '/p', signal: new AbortController().signal, logger: silentLogger };
const review = (object: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => admissionReview('uid-1', object as Record<string, unknown>, extra) as unknown as IncomingReview;
const responseOf = async (p: unknown) => (await p as { response: AdmissionResponse }).response;
const patchOf = (r: AdmissionResponse): JsonPatchOperation[] => JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString('utf8')) as JsonPatchOperation[];

describe('the defaulting handler', () => {
  test('answers a JSON Patch of only what the defaulter changed; fields the type does not know survive', async () => {
    const object = { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 2, futureField: { keep: ['me'] } }, extra: 1 };
    const handler = defaultingHandler(Widget, (w) => {
      w.spec = { ...w.spec, color: w.spec?.color ?? 'blue' };
    });
    const res = await responseOf(handler(review(object), ctx));
    expect(res).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    expect(patchOf(res)).toEqual([{ op: 'add', path: '/spec/color', value: 'blue' }]);
    expect(applyJsonPatch(object, patchOf(res))).toEqual({ ...object, spec: { size: 2, futureField: { keep: ['me'] }, color: 'blue' } });
  });

  test('works on a copy: the request object is untouched, and nothing changed means no patch', async () => {
    const object = { spec: { color: 'red' } };
    const res = await responseOf(defaultingHandler(Widget, (w) => void (w.spec && (w.spec.color ??= 'blue')))(review(object), ctx));
    expect(res).toEqual({ allowed: true });
    expect(object).toEqual({ spec: { color: 'red' } });
  });

  test('sees dryRun, operation and user; a denial from the defaulter denies; DELETE is allowed untouched', async () => {
    let seen: AdmissionContext<Widget> | undefined;
    const handler = defaultingHandler(Widget, (w, c) => {
      seen = c;
      if (w.spec?.size === 0) throw new AdmissionDenied({ message: 'size must not be 0', field: 'spec.size' });
    });
    await handler(review({ spec: { size: 1 } }, { dryRun: true }), ctx);
    expect(seen).toMatchObject({ dryRun: true, operation: 'CREATE', userInfo: { username: 'alice' }, namespace: 'default', name: 'w' });
    expect(await responseOf(handler(review({ spec: { size: 0 } }), ctx))).toMatchObject({ allowed: false, status: { code: 422, reason: 'Invalid', message: 'size must not be 0' } });
    seen = undefined;
    expect(await responseOf(handler(review(null, { operation: 'DELETE', oldObject: { spec: {} } }), ctx))).toEqual({ allowed: true });
    expect(seen).toBeUndefined();
  });
});

describe('the validating handler', () => {
  const validator = {
    create: (w: Widget) => {
      if ((w.spec?.size ?? 0) > 10) throw new AdmissionDenied({ message: 'spec.size must be at most 10', field: 'spec.size' });
      return (w.spec?.size ?? 0) > 5 ? ['spec.size over 5 is slow'] : [];
    },
    update: (w: Widget, old: Widget, c: AdmissionContext<Widget>) => {
      if (w.spec?.color !== old.spec?.color) c.warn('color changed');
    },
    delete: (old: Widget) => {
      if (old.metadata?.labels?.protected) throw new AdmissionDenied({ message: 'this Widget is protected' });
    },
  };
  const handler = validatingHandler(Widget, validator);

  test('denies with the message and the field path in status.details.causes', async () => {
    expect(await responseOf(handler(review({ spec: { size: 11 } }), ctx))).toEqual({
      allowed: false,
      status: { status: 'Failure', code: 422, reason: 'Invalid', message: 'spec.size must be at most 10', details: { causes: [{ reason: 'FieldValueInvalid', message: 'spec.size must be at most 10', field: 'spec.size' }] } },
    });
  });

  test('allows with the returned warnings, and with ctx.warn warnings', async () => {
    expect(await responseOf(handler(review({ spec: { size: 6 } }), ctx))).toEqual({ allowed: true, warnings: ['spec.size over 5 is slow'] });
    expect(await responseOf(handler(review({ spec: { color: 'b' } }, { operation: 'UPDATE', oldObject: { spec: { color: 'a' } } }), ctx))).toEqual({ allowed: true, warnings: ['color changed'] });
  });

  test('gets the old object on DELETE; a denial without a field is 403 Forbidden', async () => {
    const res = await responseOf(handler(review(null, { operation: 'DELETE', oldObject: { metadata: { labels: { protected: 'yes' } } } }), ctx));
    expect(res).toEqual({ allowed: false, status: { status: 'Failure', code: 403, reason: 'Forbidden', message: 'this Widget is protected' } });
  });

  test('an error other than a denial reaches the server (which answers a failure naming the webhook)', async () => {
    const failing = validatingHandler(Widget, { create: () => { throw new TypeError('bug'); } });
    await expect(failing(review({ spec: {} }), ctx)).rejects.toThrow('bug');
  });

  test('refuses a request for another kind, naming both', async () => {
    const res = await responseOf(handler(review({ spec: {} }, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }), ctx));
    expect(res).toMatchObject({ allowed: false, status: { code: 400, message: 'this webhook handles Widget.test.opkit.dev, got Deployment.apps: check the rules of its webhook configuration' } });
  });
});

describe('admissionFor', () => {
  test('registers at controller-runtime\'s paths, with rules for exactly the kind\'s group, version and resource', () => {
    const server = new WebhookServer();
    const paths = admissionFor(server, Widget).defaulter(() => undefined).validator({ create: () => undefined, delete: () => undefined }).complete();
    expect(paths).toEqual({ mutatingPath: '/mutate-test-opkit-dev-v1-widget', validatingPath: '/validate-test-opkit-dev-v1-widget' });
    expect(mutatingPath({ group: '', version: 'v1', kind: 'Pod' })).toBe('/mutate--v1-pod');
    expect(validatingPath({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('/validate-apps-v1-deployment');
    const rule = { apiGroups: ['test.opkit.dev'], apiVersions: ['v1'], resources: ['widgets'], scope: 'Namespaced' };
    expect(server.webhooks()).toEqual([
      { path: '/mutate-test-opkit-dev-v1-widget', description: { type: 'mutating', name: 'mwidget-v1.test.opkit.dev', rules: [{ ...rule, operations: ['CREATE', 'UPDATE'] }] } },
      { path: '/validate-test-opkit-dev-v1-widget', description: { type: 'validating', name: 'vwidget-v1.test.opkit.dev', rules: [{ ...rule, operations: ['CREATE', 'DELETE'] }] } },
    ]);
  });

  test('refuses complete() with neither a defaulter nor a validator, and a second builder for the same kind', () => {
    const server = new WebhookServer();
    expect(() => admissionFor({ webhookServer: server }, Widget).complete()).toThrow('admissionFor(Widget): give .defaulter(fn) and/or .validator({ create, update, delete }) before .complete()');
    admissionFor(server, Widget).validator({}).complete();
    expect(() => admissionFor(server, Widget).validator({}).complete()).toThrow(expect.objectContaining({ reason: 'DuplicatePath' }));
  });
});
