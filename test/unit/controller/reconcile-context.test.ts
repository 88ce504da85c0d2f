import { describe, expect, it } from 'vitest';
import type { Client } from '../../../runtime/src/client/client.js';
import { LazyReconcileContext, type ReconcileContextParts } from '../../../runtime/src/controller/reconcile-context.js';
import { createJsonLogger, type Logger, type LogFields } from '../../../runtime/src/log/logger.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

function parts(logger: Logger, recorders: string[] = []): ReconcileContextParts {
  return {
    client: {} as Client,
    apiReader: {} as Client,
    signal: new AbortController().signal,
    controller: 'widget',
    logger,
    recorder: (request) => {
      recorders.push(request.name);
      return { event: () => undefined };
    },
  };
}

describe('reconcile context', () => {
  it('puts one reconcile ID on every log line and on ctx.reconcileId, with namespace and name', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'info', clock: new FakeClock({ start: 0 }), write: (l) => lines.push(l) }).child({ controller: 'widget' });
    const ctx = new LazyReconcileContext(parts(logger), { namespace: 'ns', name: 'w' });
    ctx.log.info('one');
    ctx.log.child({ step: 2 }).info('two');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ msg: 'one', controller: 'widget', namespace: 'ns', name: 'w', reconcileID: ctx.reconcileId });
    expect(parsed[1]).toMatchObject({ msg: 'two', step: 2, reconcileID: ctx.reconcileId });
    expect(ctx.reconcileId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new LazyReconcileContext(parts(logger), { name: 'w' }).reconcileId).not.toBe(ctx.reconcileId);
  });

  it('makes no child logger while it only logs at levels the logger does not write, and builds the recorder once, when read', () => {
    const children: LogFields[] = [];
    const base = createJsonLogger({ level: 'info', write: () => undefined });
    const logger: Logger = { ...base, child: (b) => (children.push(b), base.child(b)) };
    const recorders: string[] = [];
    const ctx = new LazyReconcileContext(parts(logger, recorders), { namespace: 'ns', name: 'w' });
    ctx.log.debug('Reconciling');
    ctx.log.debug('Reconcile done');
    expect(children).toEqual([]);
    expect(recorders).toEqual([]);
    ctx.log.info('now');
    expect(children).toEqual([{ namespace: 'ns', name: 'w', reconcileID: ctx.reconcileId }]);
    expect(ctx.recorder).toBe(ctx.recorder);
    expect(recorders).toEqual(['w']);
  });

  it('logs every level through a logger that cannot tell which levels it writes', () => {
    const seen: string[] = [];
    const logger: Logger = {
      debug: (m) => void seen.push(`debug ${m}`),
      info: (m) => void seen.push(`info ${m}`),
      warn: (m) => void seen.push(`warn ${m}`),
      error: (m) => void seen.push(`error ${m}`),
      child: () => logger,
    };
    const ctx = new LazyReconcileContext(parts(logger), { name: 'w' });
    ctx.log.debug('a');
    ctx.log.error('b');
    expect(seen).toEqual(['debug a', 'error b']);
  });
});
