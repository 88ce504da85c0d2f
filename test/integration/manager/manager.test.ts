import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../../runtime/src/client/client.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { ManagerError } from '../../../runtime/src/errors/manager-error.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { createNamespace, runManager, widget } from '../../support/manager-harness.js';
import { stopWidgetControlPlane, startWidgetControlPlane } from '../../support/control-plane.js';
import { eventually } from '../../support/poll.js';
import { Gadget, Widget } from '../../support/widget.js';

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let kubeconfigPath: string;
let transport: Transport;
let client: Client;

beforeAll(async () => {
  ({ env, kubeConfig, kubeconfigPath, transport, client } = await startWidgetControlPlane());
});

afterAll(async () => {
  await stopWidgetControlPlane({ env, transport });
});

describe('manager against a real API server', () => {
  it('starts reconciling only after the caches have synced: the first reconcile sees every existing object', async () => {
    const ns = 'mgr-sync';
    await createNamespace(client, ns);
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.create(Widget, widget(ns, `w${i}`))));
    const cacheSizes: number[] = [];
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile(async (_req, ctx) => void cacheSizes.push((await ctx.client.list(Widget, { namespace: ns })).length)),
    );
    try {
      await eventually(() => cacheSizes.length === 60, { what: '60 reconciles' });
      expect(cacheSizes.every((n) => n === 60)).toBe(true);
      expect(run.lines.findIndex((l) => l['msg'] === 'Caches synced; starting runnables')).toBeLessThan(
        run.lines.findIndex((l) => l['msg'] === 'Reconciling'),
      );
    } finally {
      await run.stop();
    }
  });

  it('on abort stops taking work, lets the in-flight reconcile finish, and resolves start()', async () => {
    const ns = 'mgr-stop';
    await createNamespace(client, ns);
    const started: string[] = [];
    const finished: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile(async (req, ctx) => {
          started.push(req.name);
          if (req.name === 'slow') await gate;
          await ctx.client.status.patch(Widget, req, { status: { phase: 'Done' } }, { signal: ctx.signal });
          finished.push(req.name);
        }),
    );
    let resolved = false;
    void run.done.then(() => (resolved = true));
    await client.create(Widget, widget(ns, 'slow'));
    await eventually(() => started.includes('slow'), { what: 'slow reconcile to start' });
    const stopping = run.stop();
    await client.create(Widget, widget(ns, 'after-abort'));
    expect(resolved).toBe(false);
    release();
    await stopping;
    expect(finished).toEqual(['slow']);
    expect(started).toEqual(['slow']);
    expect((await client.get(Widget, { namespace: ns, name: 'slow' })).status?.phase).toBe('Done');
  });

  it('rejects start() with a CacheSyncFailed error naming group, version and kind for a kind the server does not serve', async () => {
    const ns = 'mgr-unserved';
    const run = runManager(kubeConfig, ns, (mgr) => controller(mgr).for(Gadget).reconcile(() => undefined), { cacheSyncTimeoutMs: 30_000 });
    const err = (await run.done.catch((e: unknown) => e)) as ManagerError;
    expect(err).toBeInstanceOf(ManagerError);
    expect(err.reason).toBe('CacheSyncFailed');
    expect(err.message).toContain('Gadget.v1.nope.opkit.dev');
    expect(err.message).toMatch(/group "nope\.opkit\.dev", version "v1", kind "Gadget"/);
  });

  it('leaves nothing open: a process that runs a manager and aborts it exits on its own', async () => {
    const ns = 'mgr-exit';
    await createNamespace(client, ns);
    await client.create(Widget, widget(ns, 'child'));
    const script = fileURLToPath(new URL('../../support/exit-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, kubeconfigPath, ns, 'child'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | string | null>((resolve) => {
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 45 s');
      }, 45_000);
      child.on('exit', (c) => {
        clearTimeout(deadline);
        resolve(c);
      });
    });
    expect(out).toContain('manager stopped');
    expect(code).toBe(0);
    expect((await client.get(Widget, { namespace: ns, name: 'child' })).status?.phase).toBe('Seen');
  }, 60_000);
});
