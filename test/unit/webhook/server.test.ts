import { X509Certificate } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { WebhookError } from '../../../runtime/src/webhook/errors.js';
import { prometheusWebhookMetrics } from '../../../runtime/src/webhook/metrics.js';
import { requestDeadlineMs, WebhookServer, type WebhookServerOptions, type WebhookRequestContext } from '../../../runtime/src/webhook/server.js';
import { request } from 'node:https';
import type { IncomingReview } from '../../../runtime/src/webhook/review.js';
import { admissionReview, post, servedSerial, testCerts, type TestCerts } from './support.js';

let certs: TestCerts;
const running: Array<{ server: WebhookServer; abort: AbortController; done: Promise<void> }> = [];

beforeAll(() => {
  certs = testCerts();
  certs.write(certs.issue());
});
afterAll(() => certs.remove());
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.abort.abort();
    await r.done;
  }
});

async function serve(options: Partial<WebhookServerOptions> = {}, setup: (s: WebhookServer) => void = () => undefined): Promise<{ server: WebhookServer; port: number }> {
  const server = new WebhookServer({ host: '127.0.0.1', port: 0, certDir: certs.dir, watchCertFiles: false, ...options });
  setup(server);
  const abort = new AbortController();
  const { port } = await server.listen();
  running.push({ server, abort, done: server.start(abort.signal) });
  return { server, port };
}

const allow = () => ({ response: { allowed: true } });

describe('the webhook server', () => {
  test('passes an AdmissionReview to the handler at its path and completes the answer with apiVersion, kind and uid', async () => {
    const seen: IncomingReview[] = [];
    const { port } = await serve({}, (s) =>
      s.register('/validate-widget', (review) => {
        seen.push(review);
        return { response: { allowed: true, warnings: ['size is large'] } };
      }),
    );
    const res = await post(port, certs.ca.cert, '/validate-widget', JSON.stringify(admissionReview('u-1', { spec: { size: 3 } })));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-1', allowed: true, warnings: ['size is large'] } });
    expect(seen.map((r) => r.request.uid)).toEqual(['u-1']);
  });

  test.each([
    ['not JSON', '{"apiVersion":', 'is not JSON'],
    ['empty', '', 'body is empty'],
    ['an old review version', JSON.stringify({ ...admissionReview('u'), apiVersion: 'admission.k8s.io/v1beta1' }), 'expected admission.k8s.io/v1'],
    ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'Pod' }), 'unsupported kind "Pod"'],
    ['no request uid', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }), 'request has no uid'],
    ['no operation', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x' } }), 'no valid operation'],
    ['a conversion without objects', JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'x', desiredAPIVersion: 'v2' } }), 'no objects array'],
  ])('answers a malformed review (%s) with 400 and a message saying what is wrong, without calling the handler', async (_what, body, message) => {
    let calls = 0;
    const { port } = await serve({}, (s) => s.register('/v', () => (calls++, allow())));
    const res = await post(port, certs.ca.cert, '/v', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect(res.body.message).toContain(message);
    expect(calls).toBe(0);
  });

  test('answers 400 for a content type other than JSON, 405 for GET and 404 for an unknown path', async () => {
    const { port } = await serve({}, (s) => s.register('/v', allow));
    const review = JSON.stringify(admissionReview('u'));
    expect((await post(port, certs.ca.cert, '/v', review, { contentType: 'text/plain' })).body.message).toBe('contentType=text/plain, expected application/json');
    expect((await post(port, certs.ca.cert, '/v', '', { method: 'GET' })).status).toBe(405);
    const missing = await post(port, certs.ca.cert, '/nope', review);
    expect([missing.status, missing.body.message]).toEqual([404, 'no webhook is registered at /nope']);
  });

  test('refuses a body over maxRequestBytes with 413 and keeps serving', async () => {
    let calls = 0;
    const { port } = await serve({ maxRequestBytes: 1024 }, (s) => s.register('/v', () => (calls++, allow())));
    const big = JSON.stringify(admissionReview('u', { data: 'x'.repeat(4096) }));
    const res = await post(port, certs.ca.cert, '/v', big);
    expect(res.status).toBe(413);
    expect(res.body.message).toBe('the request body is larger than 1024 bytes');
    expect(calls).toBe(0);
    expect((await post(port, certs.ca.cert, '/v', JSON.stringify(admissionReview('small')))).body).toMatchObject({ response: { allowed: true } });
  });

  test('turns a handler that throws into a denial naming the handler, counts it, and keeps serving', async () => {
    const registry = new Registry();
    const { port } = await serve({ metrics: prometheusWebhookMetrics(registry) }, (s) => {
      s.register('/validate-widget', () => {
        throw new Error('boom');
      }, { name: 'Widget validator' });
      s.register('/ok', allow);
    });
    const res = await post(port, certs.ca.cert, '/validate-widget', JSON.stringify(admissionReview('u-2')));
    expect(res.status).toBe(200);
    expect(res.body.response).toEqual({ uid: 'u-2', allowed: false, status: { status: 'Failure', code: 500, reason: 'InternalError', message: 'webhook Widget validator failed: boom' } });
    expect((await post(port, certs.ca.cert, '/ok', JSON.stringify(admissionReview('u-3')))).body).toMatchObject({ response: { allowed: true } });
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_webhook_requests_total{webhook="/validate-widget",code="200"} 1');
    expect(text).toContain('controller_runtime_webhook_requests_in_flight{webhook="/validate-widget"} 0');
    expect(text).toContain('controller_runtime_webhook_latency_seconds_count{webhook="/ok"} 1');
    expect(text).toContain('controller_runtime_webhook_panics_total 1');
  });

  test('a handler that answers without "allowed" is a failure too, not an allowed request', async () => {
    const { port } = await serve({}, (s) => s.register('/v', () => ({ response: {} }) as never));
    const res = await post(port, certs.ca.cert, '/v', JSON.stringify(admissionReview('u')));
    expect(res.body.response).toMatchObject({ allowed: false, status: { message: 'webhook /v failed: the handler\'s response has no boolean "allowed"' } });
  });

  test('answers a handler still running at requestTimeoutMs with a denial naming it, and aborts its signal (fake time)', async () => {
    const clock = new FakeClock();
    let ctx: WebhookRequestContext | undefined;
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { port } = await serve({ clock, requestTimeoutMs: 5000 }, (s) =>
      s.register('/slow', (_review, c) => {
        ctx = c;
        entered();
        return new Promise(() => undefined);
      }),
    );
    const answer = post(port, certs.ca.cert, '/slow', JSON.stringify(admissionReview('u-4')));
    await inHandler;
    await clock.advance(4999);
    expect(ctx?.signal.aborted).toBe(false);
    await clock.advance(1);
    const res = await answer;
    expect(res.body.response).toEqual({ uid: 'u-4', allowed: false, status: { status: 'Failure', code: 504, reason: 'Timeout', message: 'webhook /slow did not answer within 5000 ms' } });
    expect(ctx?.signal.aborted).toBe(true);
  });

  test('answers before the API server gives up: its ?timeout= shortens the deadline (fake time)', async () => {
    const clock = new FakeClock();
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let signal: AbortSignal | undefined;
    const { port } = await serve({ clock }, (s) => s.register('/slow', (_r, ctx) => ((signal = ctx.signal), entered(), new Promise(() => undefined))));
    const answer = post(port, certs.ca.cert, '/slow?timeout=2s', JSON.stringify(admissionReview('u-5')));
    await inHandler;
    await clock.advance(1799);
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    expect((await answer).body.response).toMatchObject({ allowed: false, status: { code: 504, message: 'webhook /slow did not answer within 1800 ms' } });
    expect([requestDeadlineMs(10_000, '/p?timeout=30s'), requestDeadlineMs(10_000, '/p?timeout=1s'), requestDeadlineMs(10_000, '/p?timeout=bogus'), requestDeadlineMs(10_000, '/p')]).toEqual([10_000, 900, 10_000, 10_000]);
  });

  test('answers 408 when the body does not arrive within the request timeout (fake time)', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const { server, port } = await serve({ clock, requestTimeoutMs: 3000 }, (s) => s.register('/v', () => (calls++, allow())));
    const res = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v', method: 'POST', ca: certs.ca.cert, agent: false, headers: { 'content-type': 'application/json', 'content-length': 1000 } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"apiVersion":');
    });
    await eventuallyInFlight(server);
    await clock.advance(3000);
    expect(await res).toBe(408);
    expect(calls).toBe(0);
  });

  test('answers a failed ConversionReview with result Failure naming the handler', async () => {
    const { port } = await serve({}, (s) =>
      s.register('/convert', () => {
        throw new Error('no spoke for v3');
      }),
    );
    const review = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'c-1', desiredAPIVersion: 'test.opkit.dev/v3', objects: [{ kind: 'Widget' }] } };
    const res = await post(port, certs.ca.cert, '/convert', JSON.stringify(review));
    expect(res.body).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: 'c-1', convertedObjects: [], result: { status: 'Failure', code: 500, reason: 'InternalError', message: 'webhook /convert failed: no spoke for v3' } },
      raw: expect.any(String),
    });
  });

  test('on stop, refuses new connections at once but answers the request in flight, then resolves (fake time)', async () => {
    const clock = new FakeClock();
    let release!: () => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const server = new WebhookServer({ host: '127.0.0.1', port: 0, certDir: certs.dir, watchCertFiles: false, clock });
    server.register('/v', () => {
      entered();
      return new Promise((resolve) => (release = () => resolve({ response: { allowed: true } })));
    });
    const { port } = await server.listen();
    const abort = new AbortController();
    const done = server.start(abort.signal);
    let stopped = false;
    void done.then(() => (stopped = true));
    const answer = post(port, certs.ca.cert, '/v', JSON.stringify(admissionReview('in-flight')));
    await inHandler;
    abort.abort();
    await eventuallyTrue(() => server.address() === undefined);
    await expect(post(port, certs.ca.cert, '/v', JSON.stringify(admissionReview('late')))).rejects.toThrow(/ECONNREFUSED/);
    expect(() => server.checkReady()).toThrow('the webhook server has stopped');
    expect(stopped).toBe(false);
    release();
    expect((await answer).body).toMatchObject({ response: { uid: 'in-flight', allowed: true } });
    await done;
  });

  test('is ready only while listening with a certificate', async () => {
    const server = new WebhookServer({ host: '127.0.0.1', port: 0, certDir: certs.dir, watchCertFiles: false });
    expect(() => server.checkReady()).toThrow('the webhook server is not serving yet');
    const abort = new AbortController();
    await server.listen();
    const done = server.start(abort.signal);
    expect(() => server.checkReady()).not.toThrow();
    abort.abort();
    await done;
    expect(() => server.checkReady()).toThrow('the webhook server has stopped');
  });

  test('refuses a second handler for a path and a path that is not absolute', () => {
    const server = new WebhookServer({ certDir: certs.dir });
    server.register('/v', allow);
    expect(() => server.register('/v', allow)).toThrow(expect.objectContaining({ reason: 'DuplicatePath', message: 'a webhook handler (/v) is already registered at /v' }));
    expect(() => server.register('validate', allow)).toThrow(expect.objectContaining({ reason: 'InvalidPath' }));
    expect(server.handlerAt('/v')).toBe(allow);
    expect(() => new WebhookServer({ port: 70000 })).toThrow(expect.objectContaining({ reason: 'InvalidOptions' }));
  });
});

async function eventuallyTrue(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

/** Waits (without sleeping on the fake clock) until a request reached the server. */
async function eventuallyInFlight(server: WebhookServer): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (server.inFlight > 0) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('no request arrived');
}

describe('the webhook server\'s certificates', () => {
  test('a missing certificate directory fails listen() with CertDirMissing naming the path and the fix', async () => {
    const dir = join(certs.dir, 'does-not-exist');
    const server = new WebhookServer({ port: 0, certDir: dir });
    const err = await server.listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ reason: 'CertDirMissing' });
    expect((err as Error).message).toContain(`the webhook certificate directory ${dir} does not exist`);
    expect((err as Error).message).toContain('set the webhook server\'s certDir');
    expect(server.address()).toBeUndefined();
  });

  test('an unreadable or missing file fails with CertUnreadable naming it; a key of another certificate with InvalidCertificate', async () => {
    const dir = join(certs.dir, 'bad');
    mkdirSync(join(dir, 'tls.crt'), { recursive: true }); // a directory where the file should be
    writeFileSync(join(dir, 'tls.key'), certs.issue().key);
    const unreadable = await new WebhookServer({ port: 0, certDir: dir }).listen().catch((e: unknown) => e);
    expect(unreadable).toMatchObject({ reason: 'CertUnreadable', message: `cannot read ${join(dir, 'tls.crt')} (it is a directory, not a file)` });
    const missing = await new WebhookServer({ port: 0, certDir: dir, certName: 'serving.pem' }).listen().catch((e: unknown) => e);
    expect(missing).toMatchObject({ reason: 'CertUnreadable' });
    expect((missing as Error).message).toContain(`the serving certificate ${join(dir, 'serving.pem')} does not exist`);
    rmSync(join(dir, 'tls.crt'), { recursive: true });
    writeFileSync(join(dir, 'tls.crt'), certs.issue().cert);
    const mismatch = await new WebhookServer({ port: 0, certDir: dir }).listen().catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ reason: 'InvalidCertificate' });
    expect((mismatch as Error).message).toContain('are not a PEM certificate and its matching private key');
  });

  test('serves a rewritten certificate from the next poll on, keeping the old one while the pair does not match (fake time)', async () => {
    const clock = new FakeClock();
    const local = testCerts();
    try {
      const first = local.issue();
      local.write(first);
      const server = new WebhookServer({ host: '127.0.0.1', port: 0, certDir: local.dir, watchCertFiles: false, clock, certPollIntervalMs: 1000 });
      server.register('/v', allow);
      const { port } = await server.listen();
      const abort = new AbortController();
      running.push({ server, abort, done: server.start(abort.signal) });
      const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;
      expect(await servedSerial(port, local.ca.cert)).toBe(serialOf(first.cert));

      const second = local.issue();
      writeFileSync(join(local.dir, 'tls.crt'), second.cert); // the key is still the first one's
      await clock.advance(1000);
      expect(await servedSerial(port, local.ca.cert)).toBe(serialOf(first.cert));
      expect((await post(port, local.ca.cert, '/v', JSON.stringify(admissionReview('during')))).body).toMatchObject({ response: { allowed: true } });

      writeFileSync(join(local.dir, 'tls.key'), second.key);
      await clock.advance(999);
      expect(await servedSerial(port, local.ca.cert)).toBe(serialOf(first.cert));
      await clock.advance(1);
      expect(await servedSerial(port, local.ca.cert)).toBe(serialOf(second.cert));
      expect((await post(port, local.ca.cert, '/v', JSON.stringify(admissionReview('after')))).body).toMatchObject({ response: { allowed: true } });
    } finally {
      local.remove();
    }
  });
});
