import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecks } from '../../../runtime/src/server/health.js';
import { HttpEndpoint, parseBindAddress, ServerError, type RouteHandler } from '../../../runtime/src/server/http.js';

const open: HttpEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function serve(checks: HealthChecks[]): Promise<string> {
  const routes = new Map<string, RouteHandler>();
  for (const c of checks) {
    routes.set(`/${c.kind}`, c.handler());
    routes.set(`/${c.kind}/`, c.handler());
  }
  const endpoint = new HttpEndpoint({ bind: { host: '127.0.0.1', port: 0 }, routes });
  open.push(endpoint);
  const { port } = await endpoint.listen();
  return `http://127.0.0.1:${port}`;
}

describe('bind addresses (controller-runtime style)', () => {
  it('parses host:port, :port and [v6]:port; "0" and "" disable', () => {
    expect(parseBindAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseBindAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(parseBindAddress('0')).toBeUndefined();
    expect(parseBindAddress('')).toBeUndefined();
    expect(() => parseBindAddress('8080')).toThrow(ServerError);
    expect(() => parseBindAddress(':99999')).toThrow(/invalid bind address/);
  });

  it('fails to listen on a port in use with a typed error', async () => {
    const first = new HttpEndpoint({ bind: { host: '127.0.0.1', port: 0 }, routes: new Map() });
    open.push(first);
    const { port } = await first.listen();
    const second = new HttpEndpoint({ bind: { host: '127.0.0.1', port }, routes: new Map() });
    await expect(second.listen()).rejects.toMatchObject({ reason: 'ListenFailed' });
  });
});

describe('healthz / readyz handlers (Kubernetes format)', () => {
  it('answers 200 ok when every check passes, and lists checks with ?verbose', async () => {
    const healthz = new HealthChecks('healthz');
    healthz.add('ping', () => true);
    const base = await serve([healthz]);
    const res = await fetch(`${base}/healthz`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(await (await fetch(`${base}/healthz?verbose`)).text()).toBe('[+]ping ok\nhealthz check passed\n');
  });

  it('answers 500 when a check throws or returns false, withholding reasons unless verbose; one check by path; exclude', async () => {
    const readyz = new HealthChecks('readyz');
    readyz.add('informer-sync', () => {
      throw new Error('caches have not synced yet');
    });
    readyz.add('db', async () => false);
    readyz.add('ok', () => undefined);
    const base = await serve([readyz]);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('[-]db failed: reason withheld\n[-]informer-sync failed: reason withheld\n[+]ok ok\nreadyz check failed\n');
    expect(await (await fetch(`${base}/readyz?verbose`)).text()).toContain('[-]informer-sync failed: caches have not synced yet');
    expect((await fetch(`${base}/readyz/ok`)).status).toBe(200);
    expect((await fetch(`${base}/readyz/db`)).status).toBe(500);
    expect((await fetch(`${base}/readyz/missing`)).status).toBe(404);
    expect((await fetch(`${base}/readyz?exclude=db&exclude=informer-sync`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});
