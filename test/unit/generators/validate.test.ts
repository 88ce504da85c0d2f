import { describe, expect, test } from 'vitest';
import { apiSpec } from '../../../generators/shared/api-spec.js';
import { ScaffoldError } from '../../../generators/shared/errors.js';

const base = { domain: 'example.com', group: 'webapp', version: 'v1alpha1', kind: 'Webapp' };

function reasonOf(options: Parameters<typeof apiSpec>[0]): string {
  try {
    apiSpec(options);
    return 'valid';
  } catch (err) {
    if (err instanceof ScaffoldError) return err.reason;
    throw err;
  }
}

describe('API validation', () => {
  test('a valid API derives its names and paths', () => {
    const spec = apiSpec({ ...base, kind: 'CacheCluster' });
    expect(spec).toMatchObject({
      apiGroup: 'webapp.example.com',
      plural: 'cacheclusters',
      singular: 'cachecluster',
      namespaced: true,
      crdName: 'cacheclusters.webapp.example.com',
      crdFile: 'config/crd/webapp.example.com_cacheclusters.yaml',
      typesFile: 'src/api/webapp.example.com/v1alpha1/index.ts',
      controllerFile: 'src/controllers/cache-cluster.controller.ts',
      testFile: 'test/cache-cluster.controller.test.ts',
      registerFunction: 'registerCacheClusterController',
    });
  });

  test.each(['v1', 'v2', 'v1alpha1', 'v2beta3', 'v10beta12'])('version %s is valid', (version) => {
    expect(reasonOf({ ...base, version })).toBe('valid');
  });

  test.each(['1', 'v0', 'V1', 'v1alpha', 'v1gamma1', 'v1beta0', 'v1.2', ''])('version %j is rejected', (version) => {
    expect(reasonOf({ ...base, version })).toBe('InvalidVersion');
  });

  test.each(['webapp', 'cache', 'my-group', 'sub.group'])('group %s is valid', (group) => {
    expect(reasonOf({ ...base, group })).toBe('valid');
  });

  test.each(['Web', 'web_app', '-web', 'web-', 'a..b', '', 'x'.repeat(64)])('group %j is not a DNS-1123 subdomain', (group) => {
    expect(reasonOf({ ...base, group })).toBe('InvalidGroup');
  });

  test.each(['webapp', 'Web App', 'Web_App', '9Lives', ''])('kind %j is not PascalCase', (kind) => {
    expect(reasonOf({ ...base, kind })).toBe('InvalidKind');
  });

  test.each(['List', 'Status', 'Manager', 'Promise'])('kind %s is reserved', (kind) => {
    expect(reasonOf({ ...base, kind })).toBe('ReservedKind');
  });

  test('a built-in kind in a Kubernetes API group is rejected with the kind named', () => {
    expect(() => apiSpec({ ...base, group: 'apps', domain: '', kind: 'Deployment' })).toThrow(/kind "Deployment" is built into Kubernetes in API group "apps"/);
    expect(reasonOf({ ...base, group: 'networking', domain: 'k8s.io', kind: 'Ingress' })).toBe('ReservedKind');
  });

  test('a built-in kind name in your own group is allowed (as Knative does with Service)', () => {
    expect(reasonOf({ ...base, kind: 'Service' })).toBe('valid');
  });

  test('Kubernetes API groups are reserved for any kind', () => {
    expect(reasonOf({ ...base, group: 'apps', domain: '', kind: 'Webapp' })).toBe('ReservedGroup');
    expect(reasonOf({ ...base, group: 'storage', domain: 'k8s.io' })).toBe('ReservedGroup');
  });

  test('an API group without a dot is rejected (CRD groups are domains)', () => {
    expect(() => apiSpec({ ...base, domain: '' })).toThrow(/API group "webapp" must contain a dot/);
  });

  test('an uncountable kind may have the same plural and singular (as core Endpoints does)', () => {
    expect(apiSpec({ ...base, kind: 'Data' })).toMatchObject({ plural: 'data', singular: 'data' });
  });

  test('an invalid domain is rejected', () => {
    expect(reasonOf({ ...base, domain: 'Example.com' })).toBe('InvalidDomain');
  });

  test.each(['Webapps', 'web apps', '1webapps', '-webapps'])('plural %j is rejected', (plural) => {
    expect(reasonOf({ ...base, plural })).toBe('InvalidPlural');
  });
});
