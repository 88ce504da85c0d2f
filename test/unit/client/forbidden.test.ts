import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { describeMissingRule, missingRule } from '../../../runtime/src/client/forbidden.js';

const forbidden = (method: string, path: string): ApiError => new ApiError({ status: 403, method, path, body: { reason: 'Forbidden', message: 'forbidden' } });

describe('missingRule', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/secrets/token', { group: '', resource: 'secrets', verb: 'get', namespace: 'default', name: 'token' }],
    ['GET', '/apis/apps/v1/namespaces/team-a/deployments', { group: 'apps', resource: 'deployments', verb: 'list', namespace: 'team-a', name: undefined }],
    ['POST', '/apis/apps/v1/namespaces/default/deployments', { group: 'apps', resource: 'deployments', verb: 'create', namespace: 'default', name: undefined }],
    ['PUT', '/apis/test.opkit.dev/v1/namespaces/default/widgets/w/status', { group: 'test.opkit.dev', resource: 'widgets/status', verb: 'update', namespace: 'default', name: 'w' }],
    ['PATCH', '/api/v1/nodes/n1', { group: '', resource: 'nodes', verb: 'patch', namespace: undefined, name: 'n1' }],
    ['DELETE', '/api/v1/namespaces/default/configmaps', { group: '', resource: 'configmaps', verb: 'deletecollection', namespace: 'default', name: undefined }],
    ['DELETE', '/api/v1/namespaces/ns1', { group: '', resource: 'namespaces', verb: 'delete', namespace: undefined, name: 'ns1' }],
  ])('%s %s lacks the rule it names', (method, path, rule) => {
    expect(missingRule(forbidden(method, path))).toEqual(rule);
  });

  it('finds the 403 inside a wrapping error (a helper\'s cause)', () => {
    const wrapped = new Error('apply of Shop s failed', { cause: forbidden('POST', '/apis/apps/v1/namespaces/default/deployments') });
    expect(missingRule(wrapped)).toMatchObject({ group: 'apps', resource: 'deployments', verb: 'create' });
  });

  it('is undefined for anything but a 403 on a resource path', () => {
    expect(missingRule(new ApiError({ status: 404, method: 'GET', path: '/api/v1/namespaces/default/secrets/x' }))).toBeUndefined();
    expect(missingRule(forbidden('GET', '/healthz'))).toBeUndefined();
    expect(missingRule(new Error('403'))).toBeUndefined();
  });

  it('describes the rule and the @rbac marker that grants it in one line', () => {
    const line = describeMissingRule({ group: 'apps', resource: 'deployments', verb: 'create', namespace: 'default', name: undefined });
    expect(line).toBe('RBAC forbids create on deployments (API group "apps") in namespace "default": add "@rbac groups=apps resources=deployments verbs=create" to the controller and run opkit generate rbac');
    expect(describeMissingRule({ group: '', resource: 'nodes', verb: 'list', namespace: undefined, name: undefined })).toMatch(/^RBAC forbids list on nodes \(API group ""\) at cluster scope: add "@rbac groups=core resources=nodes verbs=list"/);
    expect(line).not.toContain('\n');
  });
});
