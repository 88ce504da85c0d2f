/**
 * Conversion: the cost of the lossless layer. A ConversionReview of N Gizmo objects (default
 * 1,000; what the API server sends for a list) converted v2 (hub) → v1 and v1 → v2 by:
 *
 * - `baseline`: the bare converters (`gizmoV1Converter.fromHub` / `toHub` on a structuredClone of
 *   each object, JSON out), what a webhook without the lossless layer does;
 * - `opkit`: `ConversionWebhook.handle` with the same converters: the converter, the reverse
 *   converter to learn what is lost, the diff, and the `conversion.opkit.dev/<version>-data`
 *   annotation (half the objects carry a field the target lacks).
 *
 * Each variant runs ROUNDS times in alternation; the medians and their ratio are reported.
 * Run: `npx tsx bench/conversion.bench.ts [count] [rounds]`.
 */
import { performance } from 'node:perf_hooks';
import { ConversionWebhook } from '../runtime/src/webhook/conversion/review.js';
import { gizmoConversion, gizmoV1Converter, type GizmoV1, type GizmoV2 } from '../test/support/gizmo-conversion.js';

const COUNT = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 15);

const hubs = Array.from({ length: COUNT }, (_, i) => ({
  apiVersion: 'conv.opkit.dev/v2',
  kind: 'Gizmo',
  metadata: { name: `g${i}`, namespace: 'default', uid: `uid-${i}`, resourceVersion: String(1000 + i), labels: { app: 'bench', shard: String(i % 7) } },
  spec: { size: i % 10, color: 'red', tier: i % 3 === 0 ? 'platinum' : 'basic', ...(i % 2 === 0 ? { extra: `only-in-v2-${i}` } : {}) },
  status: { ready: true },
}));
const spokes = hubs.map((h) => ({ ...h, apiVersion: 'conv.opkit.dev/v1', spec: { replicas: h.spec.size, color: h.spec.color, ...(h.spec.tier === 'basic' ? { tier: 'basic' } : {}), ...(Number(h.metadata.uid.slice(4)) % 2 === 1 ? { note: 'only-in-v1' } : {}) } }));

const review = (objects: unknown[], desiredAPIVersion: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'bench', desiredAPIVersion, objects } });
const webhook = new ConversionWebhook().add(gizmoConversion);

async function baseline(): Promise<number> {
  const t0 = performance.now();
  const down = hubs.map((h) => ({ ...(gizmoV1Converter.fromHub(structuredClone(h) as GizmoV2) as GizmoV1), apiVersion: 'conv.opkit.dev/v1' }));
  const up = spokes.map((s) => ({ ...(gizmoV1Converter.toHub(structuredClone(s) as GizmoV1) as GizmoV2), apiVersion: 'conv.opkit.dev/v2' }));
  JSON.stringify({ down, up });
  return performance.now() - t0;
}

async function opkit(): Promise<number> {
  const t0 = performance.now();
  const down = await webhook.handle(review(hubs, 'conv.opkit.dev/v1'));
  const up = await webhook.handle(review(spokes, 'conv.opkit.dev/v2'));
  if (down.response.result.status !== 'Success' || up.response.result.status !== 'Success') throw new Error('conversion failed');
  JSON.stringify({ down, up });
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const times: Record<'baseline' | 'opkit', number[]> = { baseline: [], opkit: [] };
for (let round = 0; round < ROUNDS + 2; round++) {
  const order = round % 2 === 0 ? (['baseline', 'opkit'] as const) : (['opkit', 'baseline'] as const);
  for (const variant of order) {
    const ms = await (variant === 'baseline' ? baseline() : opkit());
    if (round >= 2) times[variant].push(ms); // two warm-up rounds
  }
}
const b = median(times.baseline);
const o = median(times.opkit);
console.log(`conversion of ${COUNT} objects each way (median of ${ROUNDS} rounds)`);
console.log(`  baseline (bare converters):       ${b.toFixed(1)} ms  (${((b * 1000) / (2 * COUNT)).toFixed(1)} µs/object)`);
console.log(`  opkit (ConversionWebhook.handle): ${o.toFixed(1)} ms  (${((o * 1000) / (2 * COUNT)).toFixed(1)} µs/object)`);
console.log(`  ratio opkit / baseline: ${(o / b).toFixed(2)}`);
