/**
 * Where an Opkit operator's CPU goes: a V8 CPU profile (`node --cpu-prof`) of one throughput run,
 * self time grouped by who runs it (Node's HTTP/TLS/stream internals, Opkit's runtime by folder,
 * each dependency, GC), counted only after the manager started (start-up left out, as in the CPU
 * rows).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber?: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One group's share of the busy (non-idle) samples. */
export interface ProfileShare {
  readonly group: string;
  readonly percent: number;
  readonly ms: number;
}

/** One function's self time (the heaviest functions of a profile). */
export interface ProfileFunction {
  /** `name (script:line)`, the script shortened to what follows node_modules/ or runtime/dist/. */
  readonly function: string;
  readonly group: string;
  readonly percent: number;
  readonly ms: number;
}

function functionLabel(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const script = frame.url.replace(/^.*\/(node_modules|runtime\/dist)\//, '').replace(/^file:\/\/.*\//, '');
  return `${name} (${script}:${(frame.lineNumber ?? -1) + 1})`;
}

/** The group of a function, by its script's URL. */
export function groupOf(functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8 (program: compiler, IC, native code)';
    return `native ${functionName}`;
  }
  if (url.startsWith('node:')) {
    const m = url.slice('node:'.length).replace(/^internal\//, '');
    if (/^(http2|_http|http|https)/.test(m)) return 'Node http / http2';
    if (/^(_?tls|crypto)/.test(m)) return 'Node TLS';
    if (/^(streams|stream|net|stream_base|_stream|socket)/.test(m)) return 'Node streams / net';
    if (/^(modules|bootstrap|vm|fs|path|url|source_map)/.test(m)) return 'Node module loading / fs';
    if (/^(events|event_target|abort_controller|process\/task_queues|timers|util|async_hooks|perf)/.test(m)) return 'Node events, timers, microtasks';
    return `Node ${m}`;
  }
  if (url.includes('opkit-bench')) return 'the bench program';
  const runtime = /\/runtime\/dist\/([^/]+)\//.exec(url);
  if (runtime) return `Opkit runtime: ${runtime[1]}/`;
  if (url.includes('/runtime/dist/')) return 'Opkit runtime';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `dependency: ${pkg[1]}`;
  return 'other';
}

/**
 * Reads the one .cpuprofile in `dir` and returns the groups' shares of busy time after
 * `fromMonoUs` (CLOCK_MONOTONIC µs, V8's profile clock on Linux), largest first, and the
 * `topFunctions` functions with the most self time.
 * @throws Error when `dir` holds no profile.
 */
export function summarizeProfile(dir: string, fromMonoUs: number, topFunctions = 15): { shares: ProfileShare[]; busyMs: number; top: ProfileFunction[] } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const groupById = new Map(profile.nodes.map((n) => [n.id, groupOf(n.callFrame.functionName, n.callFrame.url)]));
  const labelById = new Map(profile.nodes.map((n) => [n.id, functionLabel(n.callFrame)]));
  const us = new Map<string, number>();
  const fnUs = new Map<string, { group: string; us: number }>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromMonoUs) continue;
    const group = groupById.get(profile.samples[i] ?? -1) ?? 'other';
    us.set(group, (us.get(group) ?? 0) + delta);
    if (group === 'idle') continue;
    const fn = labelById.get(profile.samples[i] ?? -1) ?? 'other';
    const entry = fnUs.get(fn) ?? { group, us: 0 };
    entry.us += delta;
    fnUs.set(fn, entry);
  }
  us.delete('idle');
  const busy = [...us.values()].reduce((a, b) => a + b, 0);
  const shares = [...us.entries()]
    .map(([group, v]) => ({ group, percent: (v / busy) * 100, ms: v / 1000 }))
    .sort((a, b) => b.percent - a.percent);
  const top = [...fnUs.entries()]
    .map(([fn, e]) => ({ function: fn, group: e.group, percent: (e.us / busy) * 100, ms: e.us / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, topFunctions);
  return { shares, busyMs: busy / 1000, top };
}
