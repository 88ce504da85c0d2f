import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `check` until it returns a value other than `undefined`/`false` or the deadline passes; the
 * integration tests' only way to wait (no fixed sleeps).
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${options.what ?? 'condition'}${suffix}`);
    }
    await delay(options.intervalMs ?? 50);
  }
}

/**
 * Waits for real I/O on loopback sockets (no timers of the code under test: those run on a fake
 * clock) until `cond` holds; throws after about 2 s.
 */
export async function untilIo(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await delay(1);
  if (!cond()) throw new Error('I/O condition not met');
}
