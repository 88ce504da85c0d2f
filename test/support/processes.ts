import { execFileSync } from 'node:child_process';

/** Whether a process with `pid` exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false;
  }
}

/** Live child processes of `ppid` whose command line contains `needle`. */
export function childProcesses(ppid: number, needle: string): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(ppid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3 && !(parts[1] ?? '').startsWith('Z') && parts.slice(2).join(' ').includes(needle))
    .map((parts) => Number(parts[0]));
}

/** Live processes anywhere whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3 && !(parts[1] ?? '').startsWith('Z') && parts.slice(2).join(' ').includes(needle))
    .map((parts) => Number(parts[0]));
}
