/**
 * The process of a started Manager stays alive until it is stopped, even when the API server is
 * not there and nothing but the retries' (unref'd) timers is pending — as controller-runtime's
 * Start blocks. Before, Node exited with code 13 (a pending top-level await) between two retries.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/poll.js';

const CHILD = join(import.meta.dirname, '..', '..', 'support', 'unreachable-manager.ts');

describe('a started Manager keeps its process alive', () => {
  it('with the API server down it keeps retrying until SIGTERM, then stops cleanly (exit 0)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'https://127.0.0.1:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    let code: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve((code = c))));
    try {
      // three failed lists: the process lived through two backoff waits with no connection open
      await eventually(() => code === undefined && (output.match(/^warn informer error \(retrying\)$/gm) ?? []).length >= 3, {
        timeoutMs: 60_000,
        what: `three retried lists while the process lives (exit code ${String(code)}, output: ${output})`,
      });
      child.kill('SIGTERM');
      expect(await exited, output).toBe(0);
      expect(output).toMatch(/^info Manager stopped$/m);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
