import { describe, expect, test } from 'vitest';
import { linkAbort } from '../../../runtime/src/lifecycle/abort.js';

describe('linkAbort', () => {
  test('aborts with the reason of the first source that aborts, and detaches from the others', () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkAbort([a.signal, undefined, b.signal]);
    a.abort('first');
    b.abort('second');
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe('first');
  });

  test('an already-aborted source aborts it at once', () => {
    const link = linkAbort([AbortSignal.abort('done')]);
    expect(link.signal.reason).toBe('done');
  });

  test('abort() stops the linked scope without stopping its parent, and a later parent abort changes nothing', () => {
    const parent = new AbortController();
    const link = linkAbort([parent.signal]);
    link.abort('own');
    expect(link.signal.reason).toBe('own');
    expect(parent.signal.aborted).toBe(false);
    parent.abort('parent');
    expect(link.signal.reason).toBe('own');
  });

  test('dispose() unlinks: the parent aborting no longer aborts it', () => {
    const parent = new AbortController();
    const link = linkAbort([parent.signal]);
    link.dispose();
    parent.abort();
    expect(link.signal.aborted).toBe(false);
  });
});
