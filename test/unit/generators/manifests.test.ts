import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { addCrdVersion, addKustomizeResource, addRoleRules, controllerRules, summarizeCrd } from '../../../generators/shared/manifests.js';

const CRD = `# keep this comment
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: webapps.webapp.example.com
spec:
  group: webapp.example.com
  names: { kind: Webapp, plural: webapps }
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object }
`;

describe('kustomization resources', () => {
  test('an empty flow list becomes a block list with the entry, keeping comments', () => {
    const text = addKustomizeResource('# comment\nresources: []\n', 'a.yaml', 'k.yaml');
    expect(text).toBe('# comment\nresources:\n  - a.yaml\n');
  });

  test('adding an entry that is there returns the same text', () => {
    const text = 'resources:\n  - a.yaml\n';
    expect(addKustomizeResource(text, 'a.yaml', 'k.yaml')).toBe(text);
  });

  test('malformed YAML is an error naming the file', () => {
    expect(() => addKustomizeResource('resources: [\n', 'a.yaml', 'config/crd/kustomization.yaml')).toThrow(/config\/crd\/kustomization.yaml is not valid YAML/);
  });
});

describe('role rules', () => {
  const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules: []\n';

  test('adds the object, status and finalizer rules once', () => {
    const rules = controllerRules({ apiGroup: 'webapp.example.com', plural: 'webapps' });
    const once = addRoleRules(role, rules, 'role.yaml');
    expect(addRoleRules(once, rules, 'role.yaml')).toBe(once);
    const parsed = parse(once) as { rules: Array<{ resources: string[]; verbs: string[] }> };
    expect(parsed.rules.map((r) => r.resources[0])).toEqual(['webapps', 'webapps/status', 'webapps/finalizers']);
    expect(parsed.rules[0]?.verbs).toContain('watch');
  });

  test('a file that is not a role is refused', () => {
    expect(() => addRoleRules('kind: ConfigMap\n', [], 'role.yaml')).toThrow(/role.yaml is not a Role or ClusterRole/);
  });
});

describe('CRD versions', () => {
  test('a new version copies the storage version, served, storage unchanged', () => {
    const text = addCrdVersion(CRD, 'v1', false, 'crd.yaml');
    expect(text.startsWith('# keep this comment\n')).toBe(true);
    expect(summarizeCrd(text, 'crd.yaml')?.versions).toEqual([
      { name: 'v1alpha1', served: true, storage: true },
      { name: 'v1', served: true, storage: false },
    ]);
    const spec = (parse(text) as { spec: { versions: Array<{ schema: unknown }> } }).spec;
    expect(spec.versions[1]?.schema).toEqual(spec.versions[0]?.schema);
  });

  test('with storage, the new version becomes the only storage version', () => {
    expect(summarizeCrd(addCrdVersion(CRD, 'v1', true, 'crd.yaml'), 'crd.yaml')?.versions.map((v) => v.storage)).toEqual([false, true]);
  });

  test('an existing version is refused', () => {
    expect(() => addCrdVersion(CRD, 'v1alpha1', false, 'crd.yaml')).toThrow(/crd.yaml already has version "v1alpha1"/);
  });

  test('summarizeCrd ignores documents that are not CRDs', () => {
    expect(summarizeCrd('resources: []\n', 'kustomization.yaml')).toBeUndefined();
    expect(summarizeCrd(CRD, 'crd.yaml')).toMatchObject({ name: 'webapps.webapp.example.com', kind: 'Webapp', plural: 'webapps', scope: 'Namespaced' });
  });
});
