import { describe, expect, it } from 'vitest';
import { crdToRootTags } from '../../../codegen/shared/crd-markers.js';
import type { CrdDocument } from '../../../codegen/shared/crd.js';
import { normalizeForComparison } from '../../../codegen/shared/normalize.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';

const version = (v: string, tags = '') =>
  `/**\n * @group example.com\n * @version ${v}\n${tags} */\nexport interface Thing { spec?: { a?: string } }\n`;

describe('generate crd: conversion of kinds with several versions', () => {
  it('gives a kind of two versions a v1 conversion webhook at /convert behind the webhook service placeholder', () => {
    const [crd] = buildCrds([
      { path: '/virtual/v1.ts', text: version('v1', ' * @storageVersion\n') },
      { path: '/virtual/v2.ts', text: version('v2') },
    ]).crds;
    expect(crd?.spec['conversion']).toEqual({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'webhook-service', namespace: 'system', path: '/convert' } } },
    });
  });

  it('gives a kind of one version no conversion, and keeps what a @conversion marker says', () => {
    expect(buildCrds([{ path: '/virtual/v1.ts', text: version('v1') }]).crds[0]?.spec['conversion']).toBeUndefined();
    const none = ' * @conversion {"strategy":"None"}\n';
    const [crd] = buildCrds([
      { path: '/virtual/v1.ts', text: version('v1', ` * @storageVersion\n${none}`) },
      { path: '/virtual/v2.ts', text: version('v2', none) },
    ]).crds;
    expect(crd?.spec['conversion']).toEqual({ strategy: 'None' });
  });

  it('writes @conversion None into the types of a CRD of several versions that has no conversion, so it round-trips', () => {
    const schema = { openAPIV3Schema: { type: 'object' } };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1', served: true, storage: true, schema },
          { name: 'v2', served: true, storage: false, schema },
        ],
      },
    } as unknown as CrdDocument;
    const version0 = crd.spec.versions[0];
    if (version0 === undefined) throw new Error('no version');
    expect(crdToRootTags(crd, version0)).toContainEqual({ name: 'conversion', value: '{"strategy":"None"}' });
    // and the API server's default is what "no conversion" means when CRDs are compared
    expect(normalizeForComparison(crd as never)).toEqual(normalizeForComparison({ ...crd, spec: { ...crd.spec, conversion: { strategy: 'None' } } } as never));
  });
});
