import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, RetryAfterGate, parseRetryAfter, retryAfterFromResponse } from '../../../runtime/src/client/retry-after.js';
import { FakeClock, flushMicrotasks } from '../../../runtime/src/util/fake-clock.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('Retry-After parsing', () => {
  it('reads delay-seconds and HTTP-dates relative to now', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter(['7', '1'], NOW)).toBe(7000);
    expect(parseRetryAfter(new Date(NOW + 4000).toUTCString(), NOW)).toBe(4000);
  });

  it('gives 0 for a date in the past and caps long waits at 10 minutes', () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('86400', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores what is not a valid value: absent, negative, fractional, garbage', () => {
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '3s', 'Tue, 99 Foo 2026']) expect(parseRetryAfter(bad, NOW)).toBeUndefined();
  });

  it('is honoured only on 429 and 503 answers', () => {
    expect(retryAfterFromResponse(429, { 'retry-after': '2' }, NOW)).toBe(2000);
    expect(retryAfterFromResponse(503, { 'retry-after': '2' }, NOW)).toBe(2000);
    expect(retryAfterFromResponse(500, { 'retry-after': '2' }, NOW)).toBeUndefined();
    expect(retryAfterFromResponse(429, {}, NOW)).toBeUndefined();
  });
});

describe('RetryAfterGate (fake clock)', () => {
  it('holds requests to a path until its Retry-After is over, and only that path', async () => {
    const clock = new FakeClock({ start: NOW });
    const gate = new RetryAfterGate({ clock });
    gate.note('/a', 3000);
    expect(gate.delayFor('/a')).toBe(3000);
    expect(gate.delayFor('/b')).toBe(0);
    let released = 0;
    void gate.wait('/a').then(() => (released = clock.now()));
    await clock.advance(2999);
    expect(released).toBe(0);
    await clock.advance(1);
    await flushMicrotasks();
    expect(released).toBe(NOW + 3000);
    expect(gate.delayFor('/a')).toBe(0);
  });

  it('never shortens a wait: a later, shorter Retry-After keeps the earlier end', async () => {
    const clock = new FakeClock({ start: NOW });
    const gate = new RetryAfterGate({ clock });
    gate.note('/a', 5000);
    await clock.advance(1000);
    gate.note('/a', 1000);
    expect(gate.delayFor('/a')).toBe(4000);
    gate.note('/a', 6000);
    expect(gate.delayFor('/a')).toBe(6000);
  });

  it('lifts waits noted during an outage when it ends, releasing held requests, and keeps the others', async () => {
    const clock = new FakeClock({ start: NOW });
    const gate = new RetryAfterGate({ clock });
    gate.note('/starting', 5000, { duringOutage: true });
    gate.note('/throttled', 5000);
    let released = 0;
    void gate.wait('/starting').then(() => (released = clock.now()));
    await clock.advance(1000);
    gate.endOutage();
    await flushMicrotasks();
    expect(released).toBe(NOW + 1000);
    expect(gate.delayFor('/starting')).toBe(0);
    expect(gate.delayFor('/throttled')).toBe(4000);
  });

  it('rejects a wait with the signal reason when aborted, leaving no timer', async () => {
    const clock = new FakeClock({ start: NOW });
    const gate = new RetryAfterGate({ clock });
    gate.note('/a', 5000);
    const abort = new AbortController();
    const waiting = gate.wait('/a', abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });
});
