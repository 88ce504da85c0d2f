import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Lease } from '../../../runtime/src/api/builtins.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment, type WebhookServing } from '../../../runtime/src/testing/index.js';
import { admissionFor } from '../../../runtime/src/webhook/admission/builder.js';
import { AdmissionDenied } from '../../../runtime/src/webhook/admission/denial.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { runManager, type RunningManager } from '../../support/manager-harness.js';
import { eventually } from '../../support/poll.js';
import { WIDGET_CRD, Widget } from '../../support/widget.js';

const REPLICA = fileURLToPath(new URL('../../support/webhook-operator.ts', import.meta.url));

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let kubeconfigPath: string;
let transport: Transport;
let client: Client;
let running: RunningManager;
const seen: Array<{ name: string | undefined; dryRun: boolean }> = [];

/** The webhooks under test: default spec.color, deny spec.size over 10 with the field path. */
function register(mgr: RunningManager['mgr']): void {
  admissionFor(mgr, Widget)
    .defaulter((w) => {
      w.spec = { ...w.spec, color: w.spec?.color ?? 'blue' };
    })
    .validator({
      create: (w, ctx) => {
        seen.push({ name: ctx.name ?? w.metadata?.name, dryRun: ctx.dryRun });
        if ((w.spec?.size ?? 0) > 10) throw new AdmissionDenied({ message: 'spec.size must be at most 10', field: 'spec.size' });
        return [];
      },
      update: (w) => {
        if ((w.spec?.size ?? 0) > 10) throw new AdmissionDenied({ message: 'spec.size must be at most 10', field: 'spec.size' });
      },
    })
    .complete();
}

beforeAll(async () => {
  env = new TestEnvironment({ crdPaths: [WIDGET_CRD], webhooks: true });
  ({ kubeConfig, kubeconfigPath } = await env.start());
  transport = createTransport(kubeConfig);
  client = createClient(transport);
  running = runManager(kubeConfig, 'default', register, { webhook: { ...env.webhookOptions, certPollIntervalMs: 500 } });
  await eventually(() => running.mgr.webhookServer.address(), { what: 'the webhook server to listen' });
  await env.installWebhooks(running.mgr.webhookServer);
});

afterAll(async () => {
  await running?.stop().catch(() => undefined);
  transport?.close();
  await env?.stop();
});

/** The API server's denial of a create, or undefined when it was allowed. */
async function createError(w: Widget, options: { dryRun?: boolean } = {}): Promise<ApiError | undefined> {
  return client.create(Widget, w, options).then(
    () => undefined,
    (err: unknown) => (err instanceof ApiError ? err : Promise.reject(err)),
  );
}

describe('admission webhooks called by kube-apiserver', () => {
  test('an invalid Widget is denied with our message and field path', async () => {
    const tooBig: Widget = { metadata: { namespace: 'default', name: 'too-big' }, spec: { size: 11 } };
    await eventually(() => createError(tooBig, { dryRun: true }), { what: 'the webhook configuration to take effect' });
    const err = (await createError(tooBig)) as ApiError;
    expect(err.status).toBe(422);
    expect(err.message).toContain('admission webhook "vwidget-v1.test.opkit.dev" denied the request: spec.size must be at most 10');
    expect(err.body?.details?.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'spec.size must be at most 10', field: 'spec.size' }]);
    await expect(client.get(Widget, { namespace: 'default', name: 'too-big' })).rejects.toMatchObject({ status: 404 });
  });

  test('a defaulted field appears and a field the TypeScript type does not know survives defaulting', async () => {
    const created = await client.create(Widget, { metadata: { namespace: 'default', name: 'defaulted' }, spec: { size: 2, futureField: { nested: ['kept'] } } });
    expect(created.spec).toEqual({ size: 2, color: 'blue', futureField: { nested: ['kept'] } });
    const stored = await client.get(Widget, { namespace: 'default', name: 'defaulted' });
    expect(stored.spec).toEqual({ size: 2, color: 'blue', futureField: { nested: ['kept'] } });
  });

  test('a dry-run create is validated (ctx.dryRun is true) but not stored', async () => {
    const denied = await createError({ metadata: { namespace: 'default', name: 'dry-big' }, spec: { size: 12 } }, { dryRun: true });
    expect(denied?.message).toContain('spec.size must be at most 10');
    const result = await client.create(Widget, { metadata: { namespace: 'default', name: 'dry-ok' }, spec: { size: 1 } }, { dryRun: true });
    expect(result.spec?.color).toBe('blue');
    expect(seen.filter((s) => s.name === 'dry-ok')).toEqual([{ name: 'dry-ok', dryRun: true }]);
    await expect(client.get(Widget, { namespace: 'default', name: 'dry-ok' })).rejects.toMatchObject({ status: 404 });
  });

  test('rotating the serving certificate files keeps every request succeeding, with no restart', async () => {
    const { certDir } = env.webhookOptions;
    const served = (): Promise<string> => servedSerial(env.webhookOptions.port, env.webhookCa);
    const before = await served();
    const next = env.issueWebhookServingCert();
    const nextSerial = new X509Certificate(next.cert).serialNumber;
    let failures = 0;
    let requests = 0;
    let rotated = false;
    const load = (async () => {
      while (!rotated || requests < 40) {
        const i = requests++;
        await client.create(Widget, { metadata: { namespace: 'default', name: `rot-${i}` }, spec: { size: 1 } }, { dryRun: true }).catch(() => failures++);
      }
    })();
    await eventually(() => requests >= 10, { what: 'requests before the rotation' });
    // a Secret update: the key first, then the certificate (a moment of mismatch)
    writeFileSync(join(certDir, 'tls.key'), next.key);
    writeFileSync(join(certDir, 'tls.crt'), next.cert);
    await eventually(async () => (await served()) === nextSerial, { what: 'the new certificate to be served', timeoutMs: 10_000 });
    rotated = true;
    const sentBeforeEnd = requests;
    await load;
    expect(before).not.toBe(nextSerial);
    expect(failures).toBe(0);
    expect(requests).toBeGreaterThanOrEqual(Math.max(40, sentBeforeEnd));
    expect(running.lines.filter((l) => l['msg'] === 'Serving webhooks')).toHaveLength(1);
    expect(running.lines.some((l) => l['msg'] === 'Loaded a new webhook serving certificate')).toBe(true);
  });
});

describe('handlers that fail', () => {
  test('a handler that throws, and one that hangs past the configuration\'s timeout, are denials naming the handler', async () => {
    const server = running.mgr.webhookServer;
    server.register('/throws', () => {
      throw new Error('boom');
    }, { name: 'thrower' });
    server.register('/hangs', (_review, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ response: { allowed: true } }))));
    const rules = [{ apiGroups: ['test.opkit.dev'], apiVersions: ['v1'], resources: ['widgets'], operations: ['CREATE' as const] }];
    for (const name of ['throws', 'hangs']) {
      await env.installWebhooks([{ path: `/${name}`, description: { type: 'validating', name: `${name}.test.opkit.dev`, rules } }], { name, timeoutSeconds: 2, objectSelector: { matchLabels: { failing: name } } });
    }
    const probe = (name: string) => createError({ metadata: { namespace: 'default', name: `f-${name}`, labels: { failing: name } }, spec: { size: 1 } }, { dryRun: true });
    const thrown = await eventually(() => probe('throws'), { what: 'the throwing webhook to take effect' });
    expect(thrown.message).toContain('admission webhook "throws.test.opkit.dev" denied the request: webhook thrower failed: boom');
    const hung = await eventually(() => probe('hangs'), { what: 'the hanging webhook to take effect' });
    expect(hung.message).toContain('admission webhook "hangs.test.opkit.dev" denied the request: webhook /hangs did not answer within 1800 ms');
    const metrics = await running.mgr.metrics.scrape();
    expect(metrics).toMatch(/controller_runtime_webhook_panics_total [1-9]/);
  });
});

describe('webhook replicas', () => {
  const children: ChildProcess[] = [];
  let dir: string;
  afterAll(async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('two manager processes both serve their webhook, while only one of them leads', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opkit-webhook-replicas-'));
    const replicas: Array<{ id: string; serving: WebhookServing; out: string }> = [];
    for (const id of ['a', 'b']) {
      const serving = await env.addWebhookServing();
      const out = join(dir, `${id}.jsonl`);
      children.push(spawn(process.execPath, ['--import', 'tsx', REPLICA, kubeconfigPath, id, String(serving.port), serving.certDir, out], { stdio: ['ignore', 'ignore', 'inherit'] }));
      replicas.push({ id, serving, out });
      const rules = [{ apiGroups: ['test.opkit.dev'], apiVersions: ['v1'], resources: ['widgets'], operations: ['CREATE' as const], scope: 'Namespaced' as const }];
      await env.installWebhooks([{ path: '/served-by', description: { type: 'mutating', name: `served-by-${id}.test.opkit.dev`, rules } }], {
        serving,
        name: `replica-${id}`,
        objectSelector: { matchLabels: { replica: id } },
      });
    }
    for (const r of replicas) await eventually(() => logged(r.out, 'Serving webhooks'), { what: `replica ${r.id} to serve`, timeoutMs: 60_000 });
    const lease = await eventually(async () => (await client.get(Lease, { namespace: 'default', name: 'webhook-replicas' }).catch(() => undefined))?.spec?.holderIdentity, { what: 'a leader' });
    expect(['a', 'b']).toContain(lease);
    expect(replicas.filter((r) => logged(r.out, 'Started leading')).map((r) => r.id)).toEqual([lease]);
    const servedBy = (w: Widget): string | undefined => w.metadata?.annotations?.['test.opkit.dev/served-by'];
    for (const r of replicas) {
      const w: Widget = { metadata: { namespace: 'default', name: `served-${r.id}`, labels: { replica: r.id } }, spec: { size: 1 } };
      await eventually(async () => servedBy(await client.create(Widget, w, { dryRun: true })) === r.id, { what: `replica ${r.id}'s configuration to take effect` });
      expect(servedBy(await client.create(Widget, w))).toBe(r.id);
    }
  });
});

describe('with the webhook server stopped', () => {
  test('failurePolicy Fail denies, and nothing is stored', async () => {
    await running.stop();
    const err = await createError({ metadata: { namespace: 'default', name: 'no-server' }, spec: { size: 1 } });
    expect(err?.status).toBe(500);
    // refused, or (when kube-apiserver still held a kept-alive connection the stop closed) a broken pipe or reset
    expect(err?.message).toMatch(/failed calling webhook "mwidget-v1.test.opkit.dev".*(connection refused|broken pipe|connection reset by peer|EOF)/);
    await expect(client.get(Widget, { namespace: 'default', name: 'no-server' })).rejects.toMatchObject({ status: 404 });
  });
});

function logged(file: string, msg: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').split('\n').some((l) => l.includes(`"msg":"${msg}"`));
}

function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
