import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { CrdObject } from '../../../runtime/src/testing/crds.js';
import { configurationsFor, loadWebhookManifests, pointCrdConversion, WebhookCertificates, type WebhookServing } from '../../../runtime/src/testing/webhooks.js';
import { admissionFor } from '../../../runtime/src/webhook/admission/builder.js';
import { WebhookServer } from '../../../runtime/src/webhook/server.js';
import { Widget } from '../../support/widget.js';

const dir = mkdtempSync(join(tmpdir(), 'opkit-webhooks-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const serving: WebhookServing = { host: '127.0.0.1', port: 9555, certDir: '/x', certName: 'tls.crt', keyName: 'tls.key' };

describe('test webhook serving', () => {
  test('a serving cert dir holds a 127.0.0.1 certificate signed by the environment\'s CA, on a free port', async () => {
    const certs = new WebhookCertificates(dir);
    const s = await certs.newServing();
    const cert = new X509Certificate(readFileSync(join(s.certDir, 'tls.crt')));
    expect(cert.checkIssued(new X509Certificate(certs.ca.cert))).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(Buffer.from(certs.caBundle, 'base64').toString()).toBe(certs.ca.cert);
    expect((await certs.newServing()).certDir).not.toBe(s.certDir);
  });

  test('configurations from the admission builders point at https://127.0.0.1:<port><path> with the caBundle and safe defaults', () => {
    const server = new WebhookServer();
    admissionFor(server, Widget).defaulter(() => undefined).validator({ create: () => undefined }).complete();
    const [mutating, validating, ...rest] = configurationsFor(server, serving, 'Q0E=', { objectSelector: { matchLabels: { a: 'b' } } });
    expect(rest).toEqual([]);
    expect(mutating).toMatchObject({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'opkit-envtest-mutating' } });
    expect(mutating?.webhooks).toEqual([
      {
        name: 'mwidget-v1.test.opkit.dev',
        clientConfig: { url: 'https://127.0.0.1:9555/mutate-test-opkit-dev-v1-widget', caBundle: 'Q0E=' },
        rules: [{ apiGroups: ['test.opkit.dev'], apiVersions: ['v1'], resources: ['widgets'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        timeoutSeconds: 10,
        matchPolicy: 'Equivalent',
        objectSelector: { matchLabels: { a: 'b' } },
      },
    ]);
    expect(validating?.webhooks?.[0]).toMatchObject({ name: 'vwidget-v1.test.opkit.dev', clientConfig: { url: 'https://127.0.0.1:9555/validate-test-opkit-dev-v1-widget' } });
    expect(configurationsFor(server, serving, 'Q0E=', { paths: ['/validate-test-opkit-dev-v1-widget'] }).map((c) => c.kind)).toEqual(['ValidatingWebhookConfiguration']);
  });

  test('manifests are pointed at the test server by their service path; a missing path names the option to fix', () => {
    const file = join(dir, 'manifests.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: admissionregistration.k8s.io/v1',
        'kind: ValidatingWebhookConfiguration',
        'metadata: { name: validating-webhook-configuration }',
        'webhooks:',
        '- name: vwidget.kb.io',
        '  clientConfig: { service: { name: webhook-service, namespace: system, path: /validate-x } }',
        '  sideEffects: None',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: webhook-service }',
      ].join('\n'),
    );
    const warnings: string[] = [];
    const [config, ...rest] = loadWebhookManifests([file], serving, 'Q0E=', (w) => warnings.push(w));
    expect(rest).toEqual([]);
    expect(config?.webhooks?.[0]).toEqual({ name: 'vwidget.kb.io', clientConfig: { url: 'https://127.0.0.1:9555/validate-x', caBundle: 'Q0E=' }, sideEffects: 'None' });
    expect(warnings).toEqual([`skipping document 2 of ${file}: Service is not a webhook configuration`]);
    expect(() => loadWebhookManifests([join(dir, 'nope')], serving, 'Q0E=', () => undefined)).toThrow(expect.objectContaining({ reason: 'WebhookManifestInvalid', message: expect.stringContaining('fix webhooks.manifestPaths') }));
  });

  test('a CRD with a Webhook conversion strategy is pointed at the test server; others are left alone', () => {
    const crd = (conversion?: object): CrdObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.x' }, spec: { group: 'x', names: { plural: 'widgets', kind: 'Widget' }, versions: [], ...(conversion ? { conversion } : {}) } });
    const pointed = pointCrdConversion(crd({ strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 's', namespace: 'n', path: '/convert' } } } }), serving, 'Q0E=');
    expect(pointed.spec['conversion']).toEqual({ strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:9555/convert', caBundle: 'Q0E=' } } });
    const plain = crd({ strategy: 'None' });
    expect(pointCrdConversion(plain, serving, 'Q0E=')).toBe(plain);
  });
});
