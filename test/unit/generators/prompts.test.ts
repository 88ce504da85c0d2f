import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitPromptError } from '@inquirer/core';
import { TestAdapter } from '@yeoman/adapter/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main as createOperator } from '../../../cli/create-operator.js';
import { reportError } from '../../../cli/report.js';
import { runGenerator } from '../../../generators/run.js';
import { ScaffoldError } from '../../../generators/shared/errors.js';
import { captureIo, readTree, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** A TestAdapter whose log lines are kept (the summary is logged before the confirm). */
function recordingAdapter(mockedAnswers: Record<string, unknown>, callback?: (answer: unknown, options: { question: { name?: string } }) => unknown): { adapter: TestAdapter; logged: () => string } {
  const lines: string[] = [];
  const adapter = new TestAdapter({
    mockedAnswers,
    ...(callback === undefined ? {} : { callback }),
    spyFactory: ({ returns }: { returns?: unknown }) =>
      (...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
        return returns;
      },
  });
  return { adapter, logged: () => lines.join('\n') };
}

function asked(adapter: TestAdapter): string[] {
  return adapter.calls.map((c) => String(c.question.name));
}

/** Runs a question's inquirer `validate` as a terminal would on the typed answer. */
function validateOf(adapter: TestAdapter, name: string, answer: string): unknown {
  const question = adapter.calls.find((c) => c.question.name === name)?.question as { validate?: (v: string) => unknown } | undefined;
  if (question?.validate === undefined) throw new Error(`question ${name} was not asked or has no validate`);
  return question.validate(answer);
}

async function rejection(promise: Promise<unknown>): Promise<ScaffoldError> {
  const err: unknown = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ScaffoldError)) throw new Error(`expected a ScaffoldError, got ${String(err)}`);
  return err;
}

// The first test loads yeoman (seconds on a busy machine).
describe('create-operator prompts (interactive runs)', { timeout: 60_000 }, () => {
  test('asks for every value no flag gave, then confirms, and uses the answers', async () => {
    const adapter = new TestAdapter({
      mockedAnswers: { directory: 'asked-operator', domain: 'acme.io', group: 'ops', version: 'v1beta1', kind: 'Pipeline', plural: 'pipelinez', clusterScoped: true, write: true },
    });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    expect(asked(adapter)).toEqual(['directory', 'domain', 'group', 'version', 'kind', 'plural', 'clusterScoped', 'write']);
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
    expect(asked(adapter)).toEqual(['group', 'version', 'plural', 'write']);
    expect(Object.keys(readTree(join(tmp.dir, 'flagged-operator')))).toContain('config/crd/flagged.example.org_gadgets.yaml');
  });

  test('the defaults offered are derived from the folder name', async () => {
    const adapter = new TestAdapter({ mockedAnswers: {} });
    await runGenerator({ generator: 'app', options: { interactive: true, directory: 'cache-operator' } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    const defaults = Object.fromEntries(adapter.calls.map((c) => [c.question.name, c.question.default as unknown]));
    expect(defaults).toEqual({ domain: 'example.com', group: 'cache', version: 'v1alpha1', kind: 'Cache', plural: 'caches', clusterScoped: false, write: true });
  });

  test('Enter at every prompt gives a sensible project: my-operator with kind Widget (widgets.widget.example.com)', async () => {
    const adapter = new TestAdapter({ mockedAnswers: {} });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    const defaults = Object.fromEntries(adapter.calls.map((c) => [c.question.name, c.question.default as unknown]));
    expect(defaults).toMatchObject({ directory: 'my-operator', group: 'widget', kind: 'Widget', plural: 'widgets' });
    const files = readTree(join(tmp.dir, 'my-operator'));
    expect(Object.keys(files)).toContain('config/crd/widget.example.com_widgets.yaml');
    expect(JSON.parse(files['package.json'] ?? '{}')).toMatchObject({ name: 'my-operator' });
  });

  test('a non-empty folder is refused at the first prompt: nothing else is asked, nothing is written', async () => {
    const dir = join(tmp.dir, 'occupied-at-prompt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const adapter = new TestAdapter({ mockedAnswers: { directory: 'occupied-at-prompt' } });
    const err = await rejection(runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter));
    expect(err.reason).toBe('TargetNotEmpty');
    expect(err.message).toMatch(/target folder .*occupied-at-prompt is not empty \(notes.txt\); choose a new folder, or pass --force/);
    expect(asked(adapter)).toEqual(['directory']);
    // In a terminal the prompt itself refuses the answer and asks again.
    expect(validateOf(adapter, 'directory', 'occupied-at-prompt')).toMatch(/is not empty \(notes.txt\)/);
    expect(validateOf(adapter, 'directory', 'a-new-folder')).toBe(true);
    expect(readTree(dir)).toEqual({ 'notes.txt': 'mine\n' });
  });

  test('a group answered with the domain on it is the whole API group, not <group>.<domain>.<domain>', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { directory: 'site-operator', group: 'web.example.com' } });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    const files = Object.keys(readTree(join(tmp.dir, 'site-operator')));
    expect(files).toContain('config/crd/web.example.com_sites.yaml');
    expect(files.filter((f) => f.includes('example.com.example.com'))).toEqual([]);
    expect(validateOf(adapter, 'group', 'example.com')).toMatch(/group "example.com" is the project's domain itself; pass the part before the domain/);
  });

  test('a --group that is the domain answered at the prompt is refused right after the domain prompt', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { directory: 'same-domain-operator', domain: 'acme.io' } });
    const err = await rejection(runGenerator({ generator: 'app', options: { interactive: true, group: 'acme.io' } }, tmp.dir, captureIo(tmp.dir).io, adapter));
    expect(err.message).toMatch(/group "acme.io" is the project's domain itself/);
    expect(asked(adapter)).toEqual(['directory', 'domain']);
    expect(existsSync(join(tmp.dir, 'same-domain-operator'))).toBe(false);
  });

  test('shows every value and file before writing; answering no writes nothing', async () => {
    const { adapter, logged } = recordingAdapter({ directory: 'declined-operator', write: false });
    const err = await rejection(runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter));
    expect(err.reason).toBe('Declined');
    expect(err.message).toMatch(/nothing was written/);
    const summary = logged();
    expect(summary).toContain(`Create declined-operator in ${join(tmp.dir, 'declined-operator')}:`);
    expect(summary).toMatch(/kind +Declined \(declined\.example\.com\/v1alpha1, plural declineds, namespaced\)/);
    expect(summary).toMatch(/files +24 new/);
    for (const file of ['package.json', 'src/main.ts', 'config/crd/declined.example.com_declineds.yaml', 'test/declined.controller.test.ts']) {
      expect(summary).toContain(`create  ${file}`);
    }
    expect(adapter.calls.at(-1)?.question.message).toBe('Write these 24 files?');
    expect(existsSync(join(tmp.dir, 'declined-operator'))).toBe(false);
  });

  test('Ctrl-C at a prompt rejects as Cancelled, and the command exits 130 without a message', async () => {
    const ctrlC = (answer: unknown, { question }: { question: { name?: string } }): unknown => {
      if (question.name === 'kind') throw new ExitPromptError('User force closed the prompt with SIGINT');
      return answer;
    };
    const { adapter } = recordingAdapter({ directory: 'interrupted-operator' }, ctrlC);
    const err = await rejection(runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter));
    expect(err.reason).toBe('Cancelled');
    expect(asked(adapter)).toEqual(['directory', 'domain', 'group', 'version', 'kind']);
    expect(existsSync(join(tmp.dir, 'interrupted-operator'))).toBe(false);
    const captured = captureIo(tmp.dir);
    expect(reportError(err, captured.io, 'usage')).toBe(130);
    expect(captured.stderr()).toBe('');
  });

  test('a folder name that gives no package name (not Latin or Cyrillic) makes it ask for one', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { directory: '项目', projectName: 'xiangmu-operator' } });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    expect(asked(adapter).slice(0, 3)).toEqual(['directory', 'projectName', 'domain']);
    expect(validateOf(adapter, 'projectName', '')).toMatch(/project name "" is not a valid npm package name/);
    const files = readTree(join(tmp.dir, '项目'));
    expect(JSON.parse(files['package.json'] ?? '{}')).toMatchObject({ name: 'xiangmu-operator' });
    expect(Object.keys(files)).toContain('config/crd/xiangmu.example.com_xiangmus.yaml');
  });

  test('a Cyrillic folder name is transliterated: nothing more is asked', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { directory: 'сайт-оператор' } });
    await runGenerator({ generator: 'app', options: { interactive: true } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    expect(asked(adapter)).not.toContain('projectName');
    expect(JSON.parse(readTree(join(tmp.dir, 'сайт-оператор'))['package.json'] ?? '{}')).toMatchObject({ name: 'sayt-operator' });
  });
});

describe('opkit create api prompts (interactive runs)', { timeout: 60_000 }, () => {
  const project = join(tmp.dir, 'api-prompts');

  beforeAll(async () => {
    const code = await createOperator(['api-prompts', '--yes', '--skip-install', '--skip-git', '--group', 'webapp', '--kind', 'Webapp'], captureIo(tmp.dir).io);
    expect(code).toBe(0);
  }, 60_000);

  test('asks for group, version and kind, then plural and scope of a new kind, then confirms', async () => {
    const { adapter, logged } = recordingAdapter({ group: 'cache', version: 'v1', kind: 'Memcached' });
    let added = '';
    await runGenerator(
      { generator: 'api', options: { interactive: true, destinationRoot: project, onResolved: (spec) => (added = `${spec.apiGroup}/${spec.version} ${spec.kind}`) } },
      project,
      captureIo(project).io,
      adapter,
    );
    expect(asked(adapter)).toEqual(['group', 'version', 'kind', 'plural', 'clusterScoped', 'write']);
    const defaults = Object.fromEntries(adapter.calls.map((c) => [c.question.name, c.question.default as unknown]));
    expect(defaults).toEqual({ group: 'webapp', version: 'v1alpha1', kind: undefined, plural: 'memcacheds', clusterScoped: false, write: true });
    expect(added).toBe('cache.example.com/v1 Memcached');
    expect(logged()).toContain('create  config/crd/cache.example.com_memcacheds.yaml');
    expect(logged()).toContain('update  src/main.ts');
    expect(Object.keys(readTree(project))).toContain('src/controllers/memcached.controller.ts');
  });

  test('a kind the project has keeps its plural and scope: they are not asked; a conversion webhook is offered', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { group: 'webapp', version: 'v1', kind: 'Webapp', conversion: false, write: false } });
    const before = readTree(project);
    const err = await rejection(runGenerator({ generator: 'api', options: { interactive: true, destinationRoot: project } }, project, captureIo(project).io, adapter));
    expect(asked(adapter)).toEqual(['group', 'version', 'kind', 'conversion', 'write']);
    expect(err.reason).toBe('Declined');
    expect(readTree(project)).toEqual(before);
  });

  test('an invalid kind typed at the prompt is refused by the prompt and by the run, nothing written', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { group: 'cache', version: 'v1', kind: 'memcached' } });
    const before = readTree(project);
    const err = await rejection(runGenerator({ generator: 'api', options: { interactive: true, destinationRoot: project } }, project, captureIo(project).io, adapter));
    expect(err.message).toMatch(/kind "memcached" is not PascalCase/);
    expect(validateOf(adapter, 'kind', 'memcached')).toMatch(/kind "memcached" is not PascalCase/);
    expect(readTree(project)).toEqual(before);
  });
});

describe('opkit create webhook prompts (interactive runs)', { timeout: 60_000 }, () => {
  const project = join(tmp.dir, 'webhook-prompts');

  beforeAll(async () => {
    const code = await createOperator(['webhook-prompts', '--yes', '--skip-install', '--skip-git', '--group', 'webapp', '--kind', 'Webapp'], captureIo(tmp.dir).io);
    expect(code).toBe(0);
  }, 60_000);

  test('asks for the kind (offering the project\'s), then which webhooks, then confirms', async () => {
    const { adapter, logged } = recordingAdapter({ defaulting: false, validation: true, conversion: false, write: true });
    await runGenerator({ generator: 'webhook', options: { interactive: true, destinationRoot: project } }, project, captureIo(project).io, adapter);
    expect(asked(adapter)).toEqual(['kind', 'defaulting', 'validation', 'conversion', 'write']);
    expect(adapter.calls[0]?.question).toMatchObject({ message: 'Kind (Webapp)', default: 'Webapp' });
    // a kind the project does not have is refused at the prompt, naming the kinds it has
    expect(validateOf(adapter, 'kind', 'Gadget')).toBe('Gadget is not a kind of this project (Webapp)');
    expect(logged()).toContain('create  src/webhooks/webapp.webhook.ts');
    const files = readTree(project);
    expect(files['src/webhooks/webapp.webhook.ts']).not.toContain('.defaulter(');
    expect(files['config/webhook/manifests.yaml']).not.toContain('MutatingWebhookConfiguration');
  });

  test('create api for a second version: yes to the conversion offer scaffolds it', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { group: 'webapp', version: 'v2', kind: 'Webapp', conversion: true, write: true } });
    await runGenerator({ generator: 'api', options: { interactive: true, destinationRoot: project } }, project, captureIo(project).io, adapter);
    expect(asked(adapter)).toEqual(['group', 'version', 'kind', 'conversion', 'write']);
    const files = readTree(project);
    expect(files['src/webhooks/webapp.conversion.ts']).toContain('.spoke(WebappV2, {');
    expect(files['config/crd/webapp.example.com_webapps.yaml']).toContain('strategy: Webhook');
  });
});
