import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../runtime/src/client/errors.js';
import type { Transport, TransportRequest } from '../../../runtime/src/client/transport.js';
import { StorageMigrationError } from '../../../runtime/src/migration/errors.js';
import { migrateStorage, storageVersionHash } from '../../../runtime/src/migration/storage.js';
import type { Clock } from '../../../runtime/src/util/clock.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.conv.opkit.dev';

/** A clock whose timers fire at once (on the next microtask), recording each delay. */
function instantClock(): Clock & { delays: number[] } {
  let now = 0;
  const delays: number[] = [];
  return {
    delays,
    now: () => now,
    setTimer(ms, fn) {
      delays.push(ms);
      let cancelled = false;
      queueMicrotask(() => {
        now += ms;
        if (!cancelled) fn();
      });
      return { cancel: () => (cancelled = true) };
    },
  };
}

interface FakeOptions {
  objects?: number;
  storedVersions?: string[];
  /** Answers a PATCH of an object: undefined = success. */
  onPatch?: (name: string, attempt: number) => ApiError | undefined;
  onList?: (token: string | undefined) => ApiError | undefined;
  storageOnSecondRead?: string;
  discoveryHash?: string;
}

/** An API server of one namespaced CRD (gizmos.conv.opkit.dev, v1 and v2, storage v2), in memory. */
function fakeServer(options: FakeOptions = {}) {
  const names = Array.from({ length: options.objects ?? 5 }, (_, i) => `g${i}`);
  const requests: string[] = [];
  const patches = new Map<string, number>();
  let crdReads = 0;
  let status = { storedVersions: options.storedVersions ?? ['v1', 'v2'] };
  const error = (status: number, method: string, path: string, reason?: string) => new ApiError({ status, method, path, body: { message: `fake ${status}`, ...(reason ? { reason } : {}) } });
  const transport: Transport = {
    async request<T>(req: TransportRequest): Promise<T> {
      const path = req.path;
      requests.push(`${req.method} ${path}${req.query?.['continue'] ? `?continue=${String(req.query['continue'])}` : ''}`);
      if (req.method === 'GET' && path === CRD_PATH) {
        crdReads++;
        const storage = crdReads > 1 && options.storageOnSecondRead ? options.storageOnSecondRead : 'v2';
        return {
          metadata: { name: 'gizmos.conv.opkit.dev', resourceVersion: String(crdReads) },
          spec: { group: 'conv.opkit.dev', scope: 'Namespaced', names: { kind: 'Gizmo', plural: 'gizmos' }, versions: [{ name: 'v1', storage: storage === 'v1' }, { name: 'v2', storage: storage === 'v2' }] },
          status,
        } as T;
      }
      if (req.method === 'PUT' && path === `${CRD_PATH}/status`) {
        status = (req.body as { status: typeof status }).status;
        return req.body as T;
      }
      if (req.method === 'GET' && path === '/apis/conv.opkit.dev/v2') {
        return { resources: [{ name: 'gizmos', storageVersionHash: options.discoveryHash ?? storageVersionHash('conv.opkit.dev', 'v2', 'Gizmo') }] } as T;
      }
      if (req.method === 'GET' && path === '/apis/conv.opkit.dev/v2/gizmos') {
        const token = req.query?.['continue'] as string | undefined;
        const refused = options.onList?.(token);
        if (refused) throw refused;
        const start = token === undefined ? 0 : Number(token);
        const limit = Number(req.query?.['limit']);
        const next = start + limit < names.length ? String(start + limit) : undefined;
        return { items: names.slice(start, start + limit).map((name) => ({ metadata: { name, namespace: 'ns' } })), metadata: next ? { continue: next } : {} } as T;
      }
      const match = /^\/apis\/conv\.opkit\.dev\/v2\/namespaces\/ns\/gizmos\/(.+)$/.exec(path);
      if (req.method === 'PATCH' && match?.[1] !== undefined) {
        expect(req.body).toEqual({});
        expect(req.contentType).toBe('application/merge-patch+json');
        const attempt = (patches.get(match[1]) ?? 0) + 1;
        patches.set(match[1], attempt);
        const refused = options.onPatch?.(match[1], attempt);
        if (refused) throw refused;
        return {} as T;
      }
      throw error(404, req.method, path);
    },
    stream: () => {
      throw new Error('no streams');
    },
    close: () => undefined,
  };
  return { transport, requests, patches, status: () => status, error };
}

describe('migrateStorage', () => {
  it('rewrites every object page by page through the storage version, then sets storedVersions to just it', async () => {
    const server = fakeServer({ objects: 5 });
    const seen: Array<string | undefined> = [];
    const result = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { pageSize: 2, clock: instantClock(), onProgress: (p) => seen.push(p.continueToken) });
    expect(result).toEqual({ crd: 'gizmos.conv.opkit.dev', storageVersion: 'v2', storedVersionsBefore: ['v1', 'v2'], storedVersions: ['v2'], migrated: 5, gone: 0, alreadyMigrated: false, restarted: false });
    expect([...server.patches.keys()].sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
    expect(seen).toEqual(['2', '4', undefined]);
    expect(server.status()).toEqual({ storedVersions: ['v2'] });
    // the status is written last, after every object
    expect(server.requests.at(-1)).toBe(`PUT ${CRD_PATH}/status`);
  });

  it('writes nothing when storedVersions is only the storage version already (idempotent)', async () => {
    const server = fakeServer({ storedVersions: ['v2'] });
    const result = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock: instantClock() });
    expect(result).toMatchObject({ alreadyMigrated: true, migrated: 0 });
    expect(server.requests).toEqual([`GET ${CRD_PATH}`]);
  });

  it('retries conflicts and 5xx with doubling backoff, and counts objects deleted meanwhile as gone', async () => {
    const clock = instantClock();
    const server = fakeServer({
      objects: 3,
      onPatch: (name, attempt) => {
        if (name === 'g0' && attempt <= 2) return new ApiError({ status: 409, method: 'PATCH', path: name, body: { reason: 'Conflict' } });
        if (name === 'g1' && attempt === 1) return new ApiError({ status: 503, method: 'PATCH', path: name });
        if (name === 'g2') return new ApiError({ status: 404, method: 'PATCH', path: name });
        return undefined;
      },
    });
    const result = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock, concurrency: 1 });
    expect(result).toMatchObject({ migrated: 2, gone: 1, storedVersions: ['v2'] });
    expect(server.patches.get('g0')).toBe(3);
    expect(clock.delays).toEqual([100, 200, 100]);
  });

  it('leaves storedVersions alone and names every object it could not rewrite', async () => {
    const server = fakeServer({
      objects: 3,
      onPatch: (name) => (name === 'g1' ? new ApiError({ status: 422, method: 'PATCH', path: name, body: { reason: 'Invalid', message: 'spec.size: Invalid value' } }) : undefined),
    });
    const err = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock: instantClock() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageMigrationError);
    expect(err).toMatchObject({ reason: 'ObjectsFailed', progress: { migrated: 2, continueToken: undefined } });
    expect((err as Error).message).toMatch(/1 object\(s\) could not be rewritten, so storedVersions was left as \["v1","v2"\].*\n {2}ns\/g1: .*spec.size: Invalid value/s);
    expect(server.status()).toEqual({ storedVersions: ['v1', 'v2'] });
  });

  it('names the missing RBAC rule when the API server forbids a rewrite, and stops', async () => {
    const server = fakeServer({ onPatch: (name) => new ApiError({ status: 403, method: 'PATCH', path: `/apis/conv.opkit.dev/v2/namespaces/ns/gizmos/${name}` }) });
    const err = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock: instantClock(), concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'Forbidden' });
    expect((err as Error).message).toContain('RBAC forbids patch on gizmos (API group "conv.opkit.dev") in namespace "ns" while rewriting Gizmo ns/g0: grant it');
    expect(server.patches.size).toBe(1);
    expect(server.status()).toEqual({ storedVersions: ['v1', 'v2'] });
  });

  it('says how to name a CRD that does not exist', async () => {
    const server = fakeServer();
    await expect(migrateStorage(server.transport, 'gizmos', { clock: instantClock() })).rejects.toMatchObject({
      reason: 'CrdNotFound',
      message: 'storage migration of gizmos: no CustomResourceDefinition named gizmos: give its full name, <plural>.<group> (kubectl get crd lists them)',
    });
  });

  it('resumes from a continue token, and starts over when the token has expired', async () => {
    const resumed = fakeServer({ objects: 5 });
    await migrateStorage(resumed.transport, 'gizmos.conv.opkit.dev', { pageSize: 2, continueToken: '4', clock: instantClock() });
    expect([...resumed.patches.keys()]).toEqual(['g4']);
    const expired = fakeServer({ objects: 3, onList: (token) => (token === 'old' ? new ApiError({ status: 410, method: 'GET', path: 'list', body: { reason: 'Expired' } }) : undefined) });
    const result = await migrateStorage(expired.transport, 'gizmos.conv.opkit.dev', { continueToken: 'old', clock: instantClock() });
    expect(result).toMatchObject({ restarted: true, migrated: 3 });
  });

  it('refuses to drop versions when the storage version changed during the migration', async () => {
    const server = fakeServer({ storageOnSecondRead: 'v1' });
    await expect(migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock: instantClock() })).rejects.toMatchObject({ reason: 'StorageVersionChanged' });
    expect(server.status()).toEqual({ storedVersions: ['v1', 'v2'] });
  });

  it('waits for discovery to report the storage version, and gives up naming both hashes', async () => {
    const server = fakeServer({ discoveryHash: storageVersionHash('conv.opkit.dev', 'v1', 'Gizmo') });
    const err = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', { clock: instantClock(), discoveryTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'StorageVersionNotObserved' });
    expect((err as Error).message).toContain(`expected ${storageVersionHash('conv.opkit.dev', 'v2', 'Gizmo')}`);
    expect(server.patches.size).toBe(0);
  });

  it('stops when the signal aborts, with the token to resume from', async () => {
    const controller = new AbortController();
    const server = fakeServer({ objects: 4 });
    const err = await migrateStorage(server.transport, 'gizmos.conv.opkit.dev', {
      pageSize: 2,
      clock: instantClock(),
      onProgress: (p) => {
        if (p.continueToken === '2') controller.abort(new Error('stop'));
      },
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'Aborted', progress: { migrated: 2, continueToken: '2' } });
    expect(server.status()).toEqual({ storedVersions: ['v1', 'v2'] });
  });
});
