import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../runtime/src/log/logger.js';
import { pinoLogger, type PinoLike } from '../../../runtime/src/log/pino.js';
import { REDACTED, redactFields } from '../../../runtime/src/log/redact.js';

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { namespace: 'ns', name: 'db-credentials' },
  type: 'Opaque',
  data: { password: 'c3VwZXItc2VjcmV0' },
  stringData: { token: 'super-secret' },
};

describe('no Secret data in logs', () => {
  it('redacts data/stringData of Secrets logged whole (keys kept, values hidden), at any depth, without mutating', () => {
    const fields = { obj: secret, nested: { list: [{ ...secret, metadata: { name: 'other' } }] }, count: 3 };
    const out = redactFields(fields) as typeof fields;
    expect(out.obj.data).toEqual({ password: REDACTED });
    expect(out.obj.stringData).toEqual({ token: REDACTED });
    expect(out.obj.metadata.name).toBe('db-credentials');
    expect(out.nested.list[0]?.data).toEqual({ password: REDACTED });
    expect(secret.data.password).toBe('c3VwZXItc2VjcmV0');
    expect(out.count).toBe(3);
  });

  it('redacts the payload of any Kubernetes object logged whole, and returns flat fields untouched', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' }, binaryData: { b: 'AA==' } };
    expect(redactFields({ cm })).toEqual({ cm: { ...cm, data: { k: REDACTED }, binaryData: { b: REDACTED } } });
    const flat = { controller: 'x', data: 'not an object field of a kube object' };
    expect(redactFields(flat)).toBe(flat);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => redactFields(cyclic)).not.toThrow();
  });

  it('the JSON logger never writes Secret values, in fields or in child bindings', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ level: 'debug', write: (l) => lines.push(l) });
    log.info('Reconciling', { object: secret });
    log.child({ secret }).debug('child');
    log.error('failed', { err: new Error('boom'), items: [secret] });
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l).not.toContain('super-secret');
      expect(l).not.toContain('c3VwZXItc2VjcmV0');
    }
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'info', msg: 'Reconciling', object: { data: { password: REDACTED } } });
  });

  it('the pino adapter passes (fields, msg) to pino, redacted, and maps child bindings', () => {
    const calls: Array<[string, Record<string, unknown>, object, string | undefined]> = [];
    const fake = (bindings: Record<string, unknown>): PinoLike => ({
      debug: (o, m) => void calls.push(['debug', bindings, o, m]),
      info: (o, m) => void calls.push(['info', bindings, o, m]),
      warn: (o, m) => void calls.push(['warn', bindings, o, m]),
      error: (o, m) => void calls.push(['error', bindings, o, m]),
      child: (more) => fake({ ...bindings, ...more }),
    });
    const log = pinoLogger(fake({}));
    log.child({ controller: 'widget', obj: secret }).warn('Reconciling', { object: secret, name: 'w' });
    const [level, bindings, obj, msg] = calls[0] ?? [];
    expect([level, msg]).toEqual(['warn', 'Reconciling']);
    expect(bindings).toMatchObject({ controller: 'widget', obj: { data: { password: REDACTED } } });
    expect(obj).toMatchObject({ name: 'w', object: { stringData: { token: REDACTED } } });
    expect(JSON.stringify(calls)).not.toContain('super-secret');
  });
});
