/**
 * The reaper: a tiny detached process that kills a test environment's children and removes its
 * temp dir if the test process dies without calling `stop()` (crash, SIGKILL).
 *
 * Protocol on stdin, one line each: `pid <n>` registers a child; `done` means the parent cleaned up
 * itself. EOF without `done` (the parent died; the kernel closed the pipe) → SIGKILL every
 * registered pid, delete the temp dir named in argv[2], exit.
 */
import { rmSync } from 'node:fs';

const tempDir = process.argv[2];
const pids = new Set<number>();
let done = false;
let buffered = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const [verb, arg] = line.trim().split(' ');
    if (verb === 'pid' && arg) pids.add(Number(arg));
    else if (verb === 'unpid' && arg) pids.delete(Number(arg));
    else if (verb === 'done') done = true;
  }
});
process.stdin.on('end', () => {
  if (!done) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (tempDir) {
      // give the kernel a moment to release the killed processes' files
      setTimeout(() => {
        rmSync(tempDir, { recursive: true, force: true });
        process.exit(0);
      }, 200);
      return;
    }
  }
  process.exit(0);
});
