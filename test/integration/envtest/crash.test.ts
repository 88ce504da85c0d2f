import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/poll.js';
import { isAlive } from '../../support/processes.js';

const RUNTIME_TESTING = join(import.meta.dirname, '../../../runtime/dist/testing/index.js');

describe('a test process that dies without stop()', () => {
  it('takes its control plane and temp dir with it when SIGKILLed', async () => {
    // a child "test process" starts an environment, reports its pids and dir, then hangs
    const script = `
      import { TestEnvironment } from ${JSON.stringify(RUNTIME_TESTING)};
      import { dirname } from 'node:path';
      import { execFileSync } from 'node:child_process';
      const env = new TestEnvironment();
      const s = await env.start();
      const pids = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\\n').filter((l) => /etcd|kube-apiserver/.test(l)).map((l) => Number(l.trim().split(' ')[0]));
      console.log(JSON.stringify({ dir: dirname(s.kubeconfigPath), pids }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const report = await eventually(() => (out.includes('\n') ? (JSON.parse(out) as { dir: string; pids: number[] }) : undefined), {
        timeoutMs: 90_000,
        what: 'the child to start its environment',
      });
      expect(report.pids.length).toBeGreaterThanOrEqual(2);
      expect(report.pids.every(isAlive)).toBe(true);

      child.kill('SIGKILL');

      await eventually(() => report.pids.every((pid) => !isAlive(pid)) && !existsSync(report.dir), {
        timeoutMs: 15_000,
        what: 'etcd and kube-apiserver to die and the temp dir to be removed',
      });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
