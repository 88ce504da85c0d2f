/**
 * Control-plane timings: warm start() (median of 5), stop(), restartApiServer(), and start() with
 * the 26 shared third-party CRDs. Medians over RUNS (default 5) runs.
 *
 *   npx tsx bench/envtest.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestEnvironment } from '../runtime/src/testing/index.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const starts: number[] = [];
const stops: number[] = [];
const restarts: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const env = new TestEnvironment();
  starts.push(await time(() => env.start()));
  restarts.push(await time(() => env.restartApiServer()));
  stops.push(await time(() => env.stop()));
}
const withCrds: number[] = [];
for (let i = 0; i < Math.min(RUNS, 3); i++) {
  const env = new TestEnvironment({ crdPaths: [join(import.meta.dirname, '../test/fixtures/crds')], onWarning: () => undefined });
  withCrds.push(await time(() => env.start()));
  await env.stop();
}
const result = {
  runs: RUNS,
  startMedianMs: Math.round(median(starts)),
  stopMedianMs: Math.round(median(stops)),
  restartApiServerMedianMs: Math.round(median(restarts)),
  startWith26CrdsMedianMs: Math.round(median(withCrds)),
  raw: { starts, stops, restarts, withCrds },
};
console.table({
  'start()': `${result.startMedianMs} ms`,
  'stop()': `${result.stopMedianMs} ms`,
  'restartApiServer()': `${result.restartApiServerMedianMs} ms`,
  'start() + 26 CRDs': `${result.startWith26CrdsMedianMs} ms`,
});
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'envtest.json'), JSON.stringify(result, null, 2));
