import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCrds } from '../../../runtime/src/testing/index.js';

const crd = (name: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}s.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: ${name}s, kind: ${name[0]?.toUpperCase()}${name.slice(1)} }
  versions: [{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object } } }]
`;

describe('loadCrds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opkit-crds-'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'a.yaml'), `${crd('apple')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n---\n`);
  writeFileSync(
    join(dir, 'nested', 'b.json'),
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'bananas.example.com' },
      spec: { group: 'example.com', names: { plural: 'bananas', kind: 'Banana' }, versions: [] },
    }),
  );
  writeFileSync(join(dir, 'README.md'), 'not a manifest');
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [a.yaml]\n'); // apiVersion and kind are optional for kustomize
  writeFileSync(join(dir, 'nested', 'component.yaml'), 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n');

  it('reads folders recursively, YAML and JSON, skips non-CRD documents with a warning and kustomize files silently', () => {
    const warnings: string[] = [];
    const docs = loadCrds([dir], (m) => warnings.push(m));
    expect(docs.map((d) => d.crd.metadata.name)).toEqual(['apples.example.com', 'bananas.example.com']);
    expect(warnings).toEqual([expect.stringMatching(/document 2 of .*a\.yaml: ConfigMap is not/)]);
  });

  it('names the file and line of malformed YAML', () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, `${crd('cherry')}---\nkind: [unclosed\n`);
    expect(() => loadCrds([bad], () => undefined)).toThrow(/bad\.yml:1\d: malformed YAML/);
  });

  it('names a path that does not exist', () => {
    expect(() => loadCrds(['./nope/crds'], () => undefined)).toThrow(/CRD path \.\/nope\/crds does not exist/);
  });
});
