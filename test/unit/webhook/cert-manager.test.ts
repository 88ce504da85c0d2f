import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomResourceDefinition, Secret, ValidatingWebhookConfiguration } from '../../../runtime/src/api/builtins.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { CertManagerError, readCertState, WebhookCertManager, type WebhookCertManagerOptions } from '../../../runtime/src/webhook/certs/index.js';
import { signedBy, splitPem, parseCert } from '../../../runtime/src/webhook/certs/state.js';
import { MemoryClient } from '../../support/memory-client.js';
import { eventually } from '../../support/poll.js';

const DAY = 24 * 60 * 60 * 1000;
const MIN = 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const dirs: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function certDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'opkit-certs-'));
  dirs.push(dir);
  return dir;
}

function seed(client: MemoryClient): void {
  client.put(ValidatingWebhookConfiguration, {
    metadata: { name: 'my-op-validating' },
    webhooks: [
      { name: 'vwidget.example.com', clientConfig: { service: { name: 'my-op-webhook', namespace: 'my-op-system', path: '/validate' } }, sideEffects: 'None', admissionReviewVersions: ['v1'] },
      { name: 'vgadget.example.com', clientConfig: { service: { name: 'my-op-webhook', namespace: 'my-op-system', path: '/validate-g' } }, sideEffects: 'None', admissionReviewVersions: ['v1'] },
    ],
  });
  client.put(CustomResourceDefinition, {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [],
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'my-op-webhook', namespace: 'my-op-system', path: '/convert' } } } },
    },
  });
}

async function managerFor(client: MemoryClient, clock: FakeClock, overrides: Partial<WebhookCertManagerOptions> = {}): Promise<{ certs: WebhookCertManager; dir: string }> {
  const dir = await certDir();
  const certs = new WebhookCertManager({
    client,
    clock,
    namespace: 'my-op-system',
    secretName: 'my-op-webhook-cert',
    serviceName: 'my-op-webhook',
    certDir: dir,
    webhookConfigurations: { validating: ['my-op-validating'] },
    crds: ['widgets.example.com'],
    ...overrides,
  });
  return { certs, dir };
}

function secretTexts(client: MemoryClient): { cert: string; key: string; caBundle: string; caKey: string } {
  const secret = client.objects.get(MemoryClient.key(Secret, { namespace: 'my-op-system', name: 'my-op-webhook-cert' })) as Secret | undefined;
  const text = (k: string): string => Buffer.from(secret?.data?.[k] ?? '', 'base64').toString('utf8');
  return { cert: text('tls.crt'), key: text('tls.key'), caBundle: text('ca.crt'), caKey: text('ca.key') };
}

/** Serves TLS from the files of `dir` and connects to it trusting only `caBundle`, by the service's DNS name. */
async function handshake(dir: string, caBundle: string, servername: string): Promise<void> {
  const server = createServer({ cert: await readFile(join(dir, 'tls.crt')), key: await readFile(join(dir, 'tls.key')) }, (_req, res) => res.end('ok'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: caBundle }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

const NAMES = ['my-op-webhook.my-op-system.svc', 'my-op-webhook.my-op-system.svc.cluster.local'];

// RSA keys are made for real: seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

describe('WebhookCertManager', () => {
  it('creates a CA and a serving certificate for <service>.<namespace>.svc in a Secret, writes them into the cert dir and patches every caBundle', async () => {
    const client = new MemoryClient();
    seed(client);
    const { certs, dir } = await managerFor(client, new FakeClock({ start: Date.now() }));
    const result = await certs.sync();

    expect(result.steps).toEqual(['bootstrap']);
    expect(certs.dnsNames).toEqual(NAMES);
    const stored = secretTexts(client);
    const state = readCertState(stored);
    expect(state.ca).toBeDefined();
    expect(state.leaf?.dnsNames).toEqual(NAMES);
    expect(await readFile(join(dir, 'tls.crt'), 'utf8')).toBe(stored.cert);
    expect(await readFile(join(dir, 'tls.key'), 'utf8')).toBe(stored.key);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(stored.caBundle);

    const bundle = Buffer.from(stored.caBundle).toString('base64');
    const config = await client.get(ValidatingWebhookConfiguration, { name: 'my-op-validating' });
    expect(config.webhooks?.map((w) => w.clientConfig.caBundle)).toEqual([bundle, bundle]);
    const crd = await client.get(CustomResourceDefinition, { name: 'widgets.example.com' });
    expect(crd.spec.conversion?.webhook?.clientConfig?.caBundle).toBe(bundle);
    expect(result.patched.sort()).toEqual(['CustomResourceDefinition/widgets.example.com', 'ValidatingWebhookConfiguration/my-op-validating']);

    // The files serve TLS that a client trusting only the bundle accepts, under both DNS names, and no other name.
    for (const name of NAMES) await handshake(dir, stored.caBundle, name);
    await expect(handshake(dir, stored.caBundle, 'other.my-op-system.svc')).rejects.toThrow(/altnames|Hostname/i);

    // A second sync with nothing due writes nothing.
    const writes = client.calls.filter((c) => c.verb === 'create' || c.verb === 'update').length;
    expect((await certs.sync()).steps).toEqual([]);
    expect(client.calls.filter((c) => c.verb === 'create' || c.verb === 'update').length).toBe(writes);
  });

  it('renews the serving certificate at 2/3 of its lifetime, not before, and keeps the CA', async () => {
    const client = new MemoryClient();
    const clock = new FakeClock({ start: START });
    const { certs, dir } = await managerFor(client, clock, { leafValidityMs: 90 * DAY, caValidityMs: 3650 * DAY });
    await certs.sync();
    const first = secretTexts(client);

    await clock.advance(60 * DAY - MIN);
    const early = await certs.sync();
    expect(early.steps).toEqual([]);
    expect(early.nextAt).toBe(START + 60 * DAY);

    await clock.advance(MIN);
    expect((await certs.sync()).steps).toEqual(['renew-leaf']);
    const second = secretTexts(client);
    expect(second.cert).not.toBe(first.cert);
    expect(second.caBundle).toBe(first.caBundle);
    expect(second.caKey).toBe(first.caKey);
    expect(await readFile(join(dir, 'tls.crt'), 'utf8')).toBe(second.cert);
    const leaf = parseCert(second.cert);
    expect(leaf?.notAfter).toBe(Math.floor((START + 60 * DAY + 90 * DAY) / 1000) * 1000);
  });

  it('rotates the CA on its own schedule: old and new CA in the bundle, then the leaf moves to the new CA, then the old CA leaves; every leaf is trusted by the bundle before it', async () => {
    const client = new MemoryClient();
    seed(client);
    const clock = new FakeClock({ start: START });
    const propagation = 5 * MIN;
    const { certs } = await managerFor(client, clock, { caValidityMs: 30 * DAY, leafValidityMs: 9 * DAY, propagationMs: propagation });
    await certs.sync();
    const history: Array<{ at: number; steps: string[]; cert: string; caBundle: string }> = [{ at: START, steps: ['bootstrap'], ...secretTexts(client) }];
    let nextAt = START;
    while (history.length < 12 && !history.some((h) => h.steps.includes('drop-old-ca'))) {
      const result = await certs.sync();
      if (result.steps.length > 0) history.push({ at: clock.now(), steps: result.steps, ...secretTexts(client) });
      nextAt = result.nextAt;
      await clock.advance(nextAt - clock.now());
    }
    // One step per moment: the CA never changes together with the serving certificate.
    for (const h of history.slice(1)) expect(h.steps).toHaveLength(1);
    const rotated = history.findIndex((h) => h.steps[0] === 'rotate-ca');
    expect(history[rotated]?.at).toBe(START + 20 * DAY);
    expect(splitPem(history[rotated]?.caBundle ?? '')).toHaveLength(2);
    expect(history[rotated]?.cert).toBe(history[rotated - 1]?.cert);
    expect(history[rotated + 1]).toMatchObject({ steps: ['renew-leaf'], at: START + 20 * DAY + propagation });
    expect(history[rotated + 2]).toMatchObject({ steps: ['drop-old-ca'], at: START + 20 * DAY + 2 * propagation });
    expect(splitPem(history[rotated + 2]?.caBundle ?? '')).toHaveLength(1);

    // The API server may still hold the previous bundle while a replica serves the new leaf, and
    // the reverse: each leaf verifies against its own bundle and the one before it.
    for (let i = 1; i < history.length; i++) {
      const leaf = parseCert(history[i]?.cert ?? '');
      for (const bundle of [history[i - 1]?.caBundle ?? '', history[i]?.caBundle ?? '']) {
        const cas = splitPem(bundle).map((pem) => parseCert(pem));
        expect(cas.some((ca) => ca !== undefined && leaf !== undefined && signedBy(leaf, ca)), `leaf ${i} against bundle`).toBe(true);
      }
    }
    // The caBundle in the configuration follows the Secret.
    const config = await client.get(ValidatingWebhookConfiguration, { name: 'my-op-validating' });
    expect(config.webhooks?.[0]?.clientConfig.caBundle).toBe(Buffer.from(history.at(-1)?.caBundle ?? '').toString('base64'));
  });

  it('two replicas racing: one creates the Secret, the other reads it and both serve the same certificate', async () => {
    const client = new MemoryClient();
    seed(client);
    const clock = new FakeClock({ start: START });
    const a = await managerFor(client, clock);
    const b = await managerFor(client, clock);
    const [ra, rb] = await Promise.all([a.certs.sync(), b.certs.sync()]);
    expect([ra.steps, rb.steps].sort()).toEqual([[], ['bootstrap']]);
    const stored = secretTexts(client);
    for (const dir of [a.dir, b.dir]) expect(await readFile(join(dir, 'tls.crt'), 'utf8')).toBe(stored.cert);
    expect(client.calls.filter((c) => c.verb === 'create' && c.kind === 'Secret')).toHaveLength(2);
  });

  it('the loop wakes at the renewal time with the injected clock, and stops when the signal aborts', async () => {
    const client = new MemoryClient();
    const clock = new FakeClock({ start: START });
    const { certs, dir } = await managerFor(client, clock, { leafValidityMs: 3 * DAY, caValidityMs: 3650 * DAY, resyncMs: DAY, propagationMs: 2 * DAY });
    const stop = new AbortController();
    const running = certs.start(stop.signal);
    // The loop sleeps on the fake clock between syncs: one pending timer.
    const sleeping = (): Promise<true> => eventually(() => clock.pendingTimers === 1, { what: 'the loop to sleep again' });
    await sleeping();
    const first = await readFile(join(dir, 'tls.crt'), 'utf8');
    await clock.advance(DAY);
    await sleeping();
    expect(await readFile(join(dir, 'tls.crt'), 'utf8')).toBe(first);
    await clock.advance(DAY);
    await eventually(async () => (await readFile(join(dir, 'tls.crt'), 'utf8')) !== first, { what: 'the renewed certificate' });
    await sleeping();
    stop.abort();
    await running;
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failed sync does not stop the loop: it is tried again after resyncMs', async () => {
    const client = new MemoryClient();
    const clock = new FakeClock({ start: START });
    let failures = 1;
    client.fail = (call) => {
      if (call.kind === 'Secret' && failures > 0) {
        failures -= 1;
        throw new Error('connection refused');
      }
    };
    const { certs, dir } = await managerFor(client, clock, { resyncMs: MIN });
    const stop = new AbortController();
    const running = certs.start(stop.signal);
    await eventually(() => clock.pendingTimers === 1, { what: 'the retry timer' });
    await expect(readFile(join(dir, 'tls.crt'))).rejects.toThrow();
    await clock.advance(MIN);
    await eventually(async () => (await readFile(join(dir, 'tls.crt'), 'utf8').catch(() => '')) !== '', { what: 'the certificate after the retry' });
    stop.abort();
    await running;
  });

  it('refuses options that would break the schedule, naming the option', async () => {
    const client = new MemoryClient();
    const clock = new FakeClock();
    await expect(managerFor(client, clock, { propagationMs: MIN, resyncMs: MIN })).rejects.toThrow(/propagationMs \(60000\) must exceed resyncMs/);
    await expect(managerFor(client, clock, { renewFraction: 1 })).rejects.toThrow(CertManagerError);
    await expect(managerFor(client, clock, { secretName: '' })).rejects.toThrow(/secretName is required/);
  });

  it('a read error names the Secret', async () => {
    const client = new MemoryClient();
    client.fail = (call) => {
      if (call.kind === 'Secret') throw new Error('secrets "my-op-webhook-cert" is forbidden');
    };
    const { certs } = await managerFor(client, new FakeClock({ start: START }));
    await expect(certs.sync()).rejects.toThrow(/cannot read the webhook certificate Secret my-op-system\/my-op-webhook-cert: secrets "my-op-webhook-cert" is forbidden/);
  });
});
