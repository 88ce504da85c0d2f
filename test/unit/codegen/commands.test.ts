import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGenerateCrd, runGenerateTypes, type CommandIo } from '../../../cli/commands/generate.js';
import { toWireJson } from '../../../codegen/crd-to-ts/cluster.js';
import { generateTypes } from '../../../codegen/crd-to-ts/generate-types.js';
import { CodegenError, InputNotFoundError, MalformedYamlError } from '../../../codegen/errors.js';
import { corpusDir } from './corpus.js';

const referenceGrants = join(corpusDir, 'gateway-api', 'gateway.networking.k8s.io_referencegrants.yaml');
const notACrd = join(corpusDir, 'gateway-api', 'gateway.networking.k8s.io_vap_safeupgrades.yaml');

let dir: string;
let out: string[];
let err: string[];

function io(extra: Partial<CommandIo> = {}): CommandIo {
  return { stdout: (text) => out.push(text), stderr: (text) => err.push(text), ...extra };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opkit-codegen-'));
  out = [];
  err = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('opkit generate types (command)', () => {
  it('writes one file per group and version and reports skipped documents by file and document', async () => {
    const code = await runGenerateTypes([referenceGrants, notACrd, '--out', join(dir, 'api')], io());
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'api/gateway.networking.k8s.io/v1/index.ts'))).toBe(true);
    expect(existsSync(join(dir, 'api/gateway.networking.k8s.io/v1beta1/index.ts'))).toBe(true);
    expect(err.join('')).toContain(`warning: ${notACrd}:1: document 1 (ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io) is not a CustomResourceDefinition; skipped`);
    expect(out.join('')).toContain('wrote 2 file(s), 0 unchanged');
  });

  it('fails with exit 1 naming a missing path, and writes nothing', async () => {
    const missing = join(dir, 'nope.yaml');
    const code = await runGenerateTypes([referenceGrants, missing, '--out', join(dir, 'api')], io());
    expect(code).toBe(1);
    expect(err.join('')).toBe(`error: ${missing}: no such file or directory\n`);
    expect(existsSync(join(dir, 'api'))).toBe(false);
  });

  it('fails with exit 1 naming the file and line of malformed YAML, and writes nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec: [unclosed\n');
    const code = await runGenerateTypes([referenceGrants, bad, '--out', join(dir, 'api')], io());
    expect(code).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: malformed YAML: `));
    expect(existsSync(join(dir, 'api'))).toBe(false);
    await expect(generateTypes({ inputs: [bad], out: join(dir, 'api') })).rejects.toSatisfy(
      (e: unknown) => e instanceof MalformedYamlError && e.reason === 'MalformedYaml' && e.location?.file === bad && typeof e.location.line === 'number' && e.location.line >= 5,
    );
    await expect(generateTypes({ inputs: [join(dir, 'missing')], out: join(dir, 'api') })).rejects.toBeInstanceOf(InputNotFoundError);
  });

  it('with --check writes nothing and exits 1 listing files that differ or are missing; 0 when up to date', async () => {
    const api = join(dir, 'api');
    expect(await runGenerateTypes([referenceGrants, '--out', api], io())).toBe(0);
    out = [];
    expect(await runGenerateTypes([referenceGrants, '--out', api, '--check'], io())).toBe(0);
    expect(out.join('')).toBe('2 file(s) up to date\n');

    const v1 = join(api, 'gateway.networking.k8s.io/v1/index.ts');
    const drifted = `${await readFile(v1, 'utf8')}// hand edit\n`;
    await writeFile(v1, drifted);
    await rm(join(api, 'gateway.networking.k8s.io/v1beta1/index.ts'));
    err = [];
    expect(await runGenerateTypes([referenceGrants, '--out', api, '--check'], io())).toBe(1);
    const report = err.join('');
    expect(report).toContain('2 file(s) differ from what `opkit generate types` would write:');
    expect(report).toContain(`  ${v1} (differs)`);
    expect(report).toContain(`  ${join(api, 'gateway.networking.k8s.io/v1beta1/index.ts')} (missing)`);
    expect(await readFile(v1, 'utf8')).toBe(drifted);
    expect(existsSync(join(api, 'gateway.networking.k8s.io/v1beta1/index.ts'))).toBe(false);
  });

  it('does not rewrite files that are already up to date', async () => {
    const api = join(dir, 'api');
    await generateTypes({ inputs: [referenceGrants], out: api });
    const again = await generateTypes({ inputs: [referenceGrants], out: api });
    expect(again.written).toEqual([]);
    expect(again.files.map((f) => f.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('exits 2 with the usage on a usage error', async () => {
    expect(await runGenerateTypes([referenceGrants], io())).toBe(2);
    expect(err.join('')).toContain('error: --out <dir> is required');
    expect(err.join('')).toContain('Usage: opkit generate types');
    err = [];
    expect(await runGenerateTypes(['--out', dir, '--bogus'], io())).toBe(2);
    expect(await runGenerateTypes(['--out', dir], io())).toBe(2);
  });

  it('reads --from-cluster CRDs through the injected reader', async () => {
    const yaml = await import('yaml');
    const crd: unknown = yaml.parse(await readFile(referenceGrants, 'utf8'));
    const asked: string[] = [];
    const reader = async (name: string): Promise<unknown> => {
      asked.push(name);
      return { ...(crd as object), metadata: { name, uid: 'x', resourceVersion: '1', managedFields: [] }, status: { storedVersions: ['v1'] } };
    };
    const code = await runGenerateTypes(['--from-cluster', 'referencegrants.gateway.networking.k8s.io', '--out', join(dir, 'api')], io({ readClusterCrd: reader }));
    expect(code).toBe(0);
    expect(asked).toEqual(['referencegrants.gateway.networking.k8s.io']);
    const file = await readFile(join(dir, 'api/gateway.networking.k8s.io/v1/index.ts'), 'utf8');
    expect(file).toContain('// Source: referencegrants.gateway.networking.k8s.io\n');
    const failing = async (): Promise<unknown> => {
      throw new CodegenError({ reason: 'ClusterReadFailed', message: 'cannot read CustomResourceDefinition x from the cluster: forbidden', location: { file: 'cluster:x' } });
    };
    err = [];
    expect(await runGenerateTypes(['--from-cluster', 'x', '--out', join(dir, 'api2')], io({ readClusterCrd: failing }))).toBe(1);
    expect(err.join('')).toBe('error: cluster:x: cannot read CustomResourceDefinition x from the cluster: forbidden\n');
  });

  it('turns client-node models back into wire JSON for --from-cluster', async () => {
    const k8s = await import('@kubernetes/client-node');
    const props = new k8s.V1JSONSchemaProps();
    props.type = 'object';
    props.x_kubernetes_preserve_unknown_fields = true;
    props._default = { a: 1 };
    const child = new k8s.V1JSONSchemaProps();
    child.x_kubernetes_int_or_string = true;
    props.properties = { port: child };
    expect(toWireJson(props)).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      default: { a: 1 },
      properties: { port: { 'x-kubernetes-int-or-string': true } },
    });
  });
});

describe('opkit generate crd (command)', () => {
  it('builds the CRDs back from generated types, and --check detects drift', async () => {
    const api = join(dir, 'api');
    const crds = join(dir, 'crds');
    expect(await runGenerateTypes([referenceGrants, '--out', api], io())).toBe(0);
    expect(await runGenerateCrd([api, '--out', crds], io())).toBe(0);
    const yaml = await readFile(join(crds, 'gateway.networking.k8s.io_referencegrants.yaml'), 'utf8');
    expect(yaml.split('\n').slice(0, 3)).toEqual([
      '# Code generated by opkit generate crd. DO NOT EDIT.',
      '# Source: ../api/gateway.networking.k8s.io/v1/index.ts, ../api/gateway.networking.k8s.io/v1beta1/index.ts',
      '---',
    ]);
    expect(await runGenerateCrd([api, '--out', crds, '--check'], io())).toBe(0);
    await writeFile(join(crds, 'gateway.networking.k8s.io_referencegrants.yaml'), yaml.replace('refgrant', 'rg'));
    err = [];
    expect(await runGenerateCrd([api, '--out', crds, '--check'], io())).toBe(1);
    expect(err.join('')).toContain('gateway.networking.k8s.io_referencegrants.yaml (differs)');
  });

  it('fails with exit 1 naming the file and line of a bad marker', async () => {
    const source = join(dir, 'widget.ts');
    await writeFile(source, ['/**', ' * @group example.com', ' * @version v1', ' */', 'export interface Widget {', '  /** @minimum one */', '  size?: number;', '}', ''].join('\n'));
    expect(await runGenerateCrd([source, '--out', join(dir, 'crds')], io())).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`^error: .*widget\\.ts:7:3: @minimum: cannot parse "one"`));
    expect(existsSync(join(dir, 'crds'))).toBe(false);
  });
});
