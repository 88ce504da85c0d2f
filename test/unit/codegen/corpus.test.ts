import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateTypeFiles } from '../../../codegen/crd-to-ts/generate-types.js';
import { formatWarning } from '../../../codegen/errors.js';
import { jsonEqual, type JsonObject } from '../../../codegen/shared/json.js';
import { normalizeForComparison } from '../../../codegen/shared/normalize.js';
import { buildCrds } from '../../../codegen/ts-to-crd/generate-crd.js';
import { compileInMemory, formatDiagnostics, repoRoot, type Diagnostic } from './compile.js';
import { loadCorpus, type Corpus } from './corpus.js';
import { firstDifference } from './diff.js';
import { generateEdgeFiles } from './edge-crds.js';

let corpus: Corpus;
let diagnostics: Diagnostic[];
let rebuilt: ReturnType<typeof buildCrds>;

beforeAll(async () => {
  corpus = await loadCorpus();
  const fixture = await readFile(join(repoRoot, 'test/fixtures/codegen/type-checks.ts'), 'utf8');
  const edgeFixture = await readFile(join(repoRoot, 'test/fixtures/codegen/edge-type-checks.ts'), 'utf8');
  const edge = generateEdgeFiles().files;
  // One program for every generated file (corpus and edge cases) and the type-level fixtures.
  diagnostics = compileInMemory(
    new Map([...corpus.files, ['type-checks.ts', fixture], ...[...edge].map(([path, text]): [string, string] => [`edge/${path}`, text]), ['edge-type-checks.ts', edgeFixture]]),
  );
  rebuilt = buildCrds([...corpus.files].map(([path, text]) => ({ path: join(repoRoot, 'test/.virtual-codegen', path), text })));
}, 60_000);

describe('opkit generate types on the shared CRD corpus', () => {
  it('reads the 26 CRDs and reports the document that is not a CRD', () => {
    expect(corpus.crds).toHaveLength(26);
    const messages = corpus.warnings.map(formatWarning);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/gateway\.networking\.k8s\.io_vap_safeupgrades\.yaml:1: document 1 \(ValidatingAdmissionPolicy safe-upgrades\.gateway\.networking\.k8s\.io\) is not a CustomResourceDefinition; skipped/);
    expect(messages[1]).toMatch(/vap_safeupgrades\.yaml:33: document 2 \(ValidatingAdmissionPolicyBinding/);
  });

  it('writes one file per group and version, unserved versions included', () => {
    expect([...corpus.files.keys()]).toEqual([
      'acme.cert-manager.io/v1/index.ts',
      'cert-manager.io/v1/index.ts',
      'gateway.networking.k8s.io/v1/index.ts',
      'gateway.networking.k8s.io/v1alpha2/index.ts',
      'gateway.networking.k8s.io/v1alpha3/index.ts',
      'gateway.networking.k8s.io/v1beta1/index.ts',
      'monitoring.coreos.com/v1/index.ts',
      'monitoring.coreos.com/v1alpha1/index.ts',
    ]);
  });

  it('generates code for every CRD that compiles under --strict --exactOptionalPropertyTypes --noUncheckedIndexedAccess', () => {
    const generated = diagnostics.filter((d) => d.file === undefined || !d.file.startsWith('edge') && d.file !== 'type-checks.ts');
    expect(formatDiagnostics(generated)).toBe('');
  });

  it('compiles the edge-case outputs too (reserved words, nullable, arrays of arrays, embedded resources, collisions)', () => {
    const edge = diagnostics.filter((d) => d.file?.startsWith('edge/') === true);
    expect(formatDiagnostics(edge)).toBe('');
  });

  it('enforces nullable, arrays of arrays, integer enums, required fields and embedded resources at the type level', () => {
    const fixture = diagnostics.filter((d) => d.file === 'edge-type-checks.ts');
    expect(formatDiagnostics(fixture)).toBe('');
  });

  it('enforces literal apiVersion and kind, required fields, enums, maps and int-or-string at the type level', () => {
    // An unused @ts-expect-error is itself a diagnostic (TS2578), so none may appear at all.
    const fixture = diagnostics.filter((d) => d.file === 'type-checks.ts');
    expect(formatDiagnostics(fixture)).toBe('');
  });

  it('exports, per kind, the object type, its Spec and Status, and a Resource descriptor', () => {
    const file = corpus.files.get('cert-manager.io/v1/index.ts') ?? '';
    expect(file).toContain("import type { V1ObjectMeta } from '@kubernetes/client-node';");
    expect(file).toContain("import type { Resource } from '@opkit/runtime';");
    expect(file).toContain('export interface Certificate {');
    expect(file).toContain("  apiVersion?: 'cert-manager.io/v1';");
    expect(file).toContain("  kind?: 'Certificate';");
    expect(file).toContain('  metadata?: V1ObjectMeta;');
    expect(file).toContain('export interface CertificateSpec {');
    expect(file).toContain('export interface CertificateStatus {');
    expect(file).toContain('export interface CertificateSpecPrivateKey {');
    expect(file).toContain(
      [
        'export const ClusterIssuer: Resource<ClusterIssuer> = {',
        "  group: 'cert-manager.io',",
        "  version: 'v1',",
        "  kind: 'ClusterIssuer',",
        "  plural: 'clusterissuers',",
        '  namespaced: false,',
        '  subresources: { status: true },',
        '};',
      ].join('\n'),
    );
    const monitoring = corpus.files.get('monitoring.coreos.com/v1/index.ts') ?? '';
    expect(monitoring).toContain('  subresources: { status: true, scale: true },');
  });

  it('carries the source CRD names and the sha256 of their normalized content in the header', () => {
    const file = corpus.files.get('acme.cert-manager.io/v1/index.ts') ?? '';
    expect(file.split('\n').slice(0, 3)).toEqual([
      '// Code generated by opkit generate types. DO NOT EDIT.',
      '// Source: challenges.acme.cert-manager.io, orders.acme.cert-manager.io',
      expect.stringMatching(/^\/\/ Source hash: sha256:[0-9a-f]{64}$/),
    ]);
  });

  it('generates byte-identical output when run twice', () => {
    const again = generateTypeFiles(corpus.crds);
    expect([...again.keys()]).toEqual([...corpus.files.keys()]);
    for (const [path, content] of again) expect(content === corpus.files.get(path), path).toBe(true);
  });
});

describe('opkit generate crd on the generated corpus types (round trip)', () => {
  it('rebuilds exactly one CRD per corpus CRD, without warnings', () => {
    expect(rebuilt.warnings.map(formatWarning)).toEqual([]);
    expect(rebuilt.crds.map((c) => String(c.metadata['name'])).sort()).toEqual(corpus.crds.map((c) => String(c.metadata['name'])).sort());
  });

  const names = [
    'challenges.acme.cert-manager.io', 'orders.acme.cert-manager.io', 'certificaterequests.cert-manager.io', 'certificates.cert-manager.io',
    'clusterissuers.cert-manager.io', 'issuers.cert-manager.io', 'backendtlspolicies.gateway.networking.k8s.io', 'gatewayclasses.gateway.networking.k8s.io',
    'gateways.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io', 'listenersets.gateway.networking.k8s.io',
    'referencegrants.gateway.networking.k8s.io', 'tcproutes.gateway.networking.k8s.io', 'tlsroutes.gateway.networking.k8s.io', 'udproutes.gateway.networking.k8s.io',
    'alertmanagerconfigs.monitoring.coreos.com', 'alertmanagers.monitoring.coreos.com', 'podmonitors.monitoring.coreos.com', 'probes.monitoring.coreos.com',
    'prometheusagents.monitoring.coreos.com', 'prometheuses.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com', 'scrapeconfigs.monitoring.coreos.com',
    'servicemonitors.monitoring.coreos.com', 'thanosrulers.monitoring.coreos.com',
  ];

  it.each(names)('gives back %s: semantically equal, descriptions and validation included', (name) => {
    const original = corpus.crds.find((c) => c.metadata['name'] === name);
    const back = rebuilt.crds.find((c) => c.metadata['name'] === name);
    expect(original).toBeDefined();
    expect(back).toBeDefined();
    const a = normalizeForComparison(original as JsonObject);
    const b = normalizeForComparison(back as JsonObject);
    expect(jsonEqual(a, b) ? undefined : firstDifference(a, b)).toBeUndefined();
  });
});
