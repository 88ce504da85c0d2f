import { join } from 'node:path';
import { TestAdapter } from '@yeoman/adapter/testing';
import { afterAll, describe, expect, test } from 'vitest';
import { runGenerator } from '../../../generators/run.js';
import { captureIo, readTree, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// The first test loads yeoman (seconds on a busy machine).
describe('create-operator prompts (interactive runs)', { timeout: 60_000 }, () => {
  test('asks for every value no flag gave, and uses the answers', async () => {
    const adapter = new TestAdapter({
      mockedAnswers: { directory: 'asked-operator', domain: 'acme.io', group: 'ops', version: 'v1beta1', kind: 'Pipeline', plural: 'pipelinez', clusterScoped: true },
    });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    expect(adapter.calls.map((c) => c.question.name)).toEqual(['directory', 'domain', 'group', 'version', 'kind', 'plural', 'clusterScoped']);
    const files = readTree(join(tmp.dir, 'asked-operator'));
    const crd = files['config/crd/ops.acme.io_pipelinez.yaml'] ?? '';
    expect(crd).toContain('scope: Cluster');
    expect(crd).toContain('- name: v1beta1\n');
  });

  test('asks nothing that a flag gave: every prompt has a flag', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { group: 'flagged', version: 'v1', plural: 'gadgets' } });
    await runGenerator(
      { generator: 'app', options: { interactive: true, directory: 'flagged-operator', domain: 'example.org', kind: 'Gadget', clusterScoped: false } },
      tmp.dir,
      captureIo(tmp.dir).io,
      adapter,
    );
    expect(adapter.calls.map((c) => c.question.name)).toEqual(['group', 'version', 'plural']);
    expect(Object.keys(readTree(join(tmp.dir, 'flagged-operator')))).toContain('config/crd/flagged.example.org_gadgets.yaml');
  });

  test('the defaults offered are derived from the folder name', async () => {
    const adapter = new TestAdapter({ mockedAnswers: {} });
    await runGenerator({ generator: 'app', options: { interactive: true, directory: 'cache-operator' } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    const defaults = Object.fromEntries(adapter.calls.map((c) => [c.question.name, c.question.default as unknown]));
    expect(defaults).toEqual({ domain: 'example.com', group: 'cache', version: 'v1alpha1', kind: 'Cache', plural: 'caches', clusterScoped: false });
  });
});
