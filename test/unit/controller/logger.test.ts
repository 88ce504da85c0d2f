import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../runtime/src/log/logger.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

describe('JSON-lines logger', () => {
  it('writes one JSON object per line with level, time, msg, bindings and fields, above the level only', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ level: 'info', clock: new FakeClock({ start: 0 }), write: (l) => lines.push(l) });
    const child = log.child({ controller: 'c' }).child({ name: 'n' });
    child.debug('hidden');
    child.info('shown', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({ level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'shown', controller: 'c', name: 'n', n: 1 });
  });

  it('renders an error\'s cause as an error too: name, message, reason and its own stack', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ write: (l) => lines.push(l) });
    const userError = new TypeError('bucket name is invalid');
    const wrapped = new Error('apply of Website blog failed', { cause: userError });
    log.error('Reconciler error', { err: wrapped });
    const err = (JSON.parse(lines[0] ?? '') as { err: { cause: { name: string; message: string; stack: string } } }).err;
    expect(err.cause).toMatchObject({ name: 'TypeError', message: 'bucket name is invalid' });
    expect(err.cause.stack).toBe(userError.stack);
    expect(err.cause.stack).toContain('logger.test.ts');
  });

  it('serialises errors and non-Error thrown values in err, and survives unserialisable fields', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ write: (l) => lines.push(l) });
    log.error('e1', { err: new Error('boom', { cause: 'root' }) });
    log.error('e2', { err: { code: 7 } });
    log.error('e3', { err: undefined });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    log.error('e4', { cyclic });
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string; cause?: unknown } });
    expect(parsed[0]?.err).toMatchObject({ message: 'boom', cause: { message: 'root', thrown: 'string' } });
    expect(parsed[1]?.err?.message).toBe('{"code":7}');
    expect(parsed[2]?.err?.message).toBe('undefined');
    expect(parsed[3]?.msg).toBe('e4');
  });
});
