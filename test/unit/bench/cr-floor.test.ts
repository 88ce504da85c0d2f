import { describe, expect, it } from 'vitest';
import { floorMarkdown, floorSummary, type SideFacts } from '../../../bench/support/cr-floor.js';
import type { ThroughputSample } from '../../../bench/support/cr-workloads.js';

const facts = (name: string, runtime = 'v20.0.0'): SideFacts => ({ name, label: name, kind: name === 'opkit' || name === 'controller-runtime' ? 'operator' : 'raw', runtime });

function sample(side: string, round: number, cpu: number, rate = 100): ThroughputSample & { round: number } {
  return {
    side,
    round,
    concurrency: 4,
    objects: 1000,
    ms: 1000,
    objectsPerSec: rate,
    cpuSecPer1000: cpu,
    systemCpuSecPer1000: cpu / 10,
    apiserverCpuSecPer1000: 2,
    startupCpuSec: 0.1,
    startedMonoUs: NaN,
  };
}

describe('floorSummary', () => {
  // two rounds; round 1 is a slower machine for every side (pairing must cancel it)
  const samples = [
    ...[0, 1].flatMap((r) => {
      const k = r === 0 ? 1 : 2;
      return [
        sample('go-raw', r, 0.3 * k),
        sample('node-http2', r, 0.6 * k),
        sample('node-https', r, 0.5 * k),
        sample('opkit-raw', r, 0.8 * k),
        sample('controller-runtime', r, 0.5 * k, 200),
        sample('opkit', r, 1.0 * k, 150),
        sample('opkit@node24', r, 0.75 * k, 180),
      ];
    }),
  ];
  const sides = ['go-raw', 'node-http2', 'node-https', 'opkit-raw', 'controller-runtime', 'opkit'].map((n) => facts(n)).concat(facts('opkit@node24', 'v24.1.0'));
  const summary = floorSummary(samples, sides);
  const derived = (key: string): number | undefined => summary.derived.find((d) => d.key === key)?.values[0]?.value.median;

  it('pairs each side with controller-runtime round by round', () => {
    const opkit = summary.sides.find((s) => s.name === 'opkit')?.rows[0];
    expect(opkit?.cpuVsControllerRuntime).toEqual({ median: 2, min: 2, max: 2, pairs: 2 });
    expect(opkit?.objectsPerSecVsControllerRuntime.median).toBeCloseTo(0.75);
    expect(opkit?.cpuSecPer1000).toBeCloseTo(1.5);
  });

  it('takes the cheaper minimal Node program of each round as the Node floor', () => {
    expect(derived('node-vs-go')).toBeCloseTo(0.5 / 0.3);
    expect(derived('opkit-raw-vs-node')).toBeCloseTo(0.8 / 0.5);
    expect(derived('https-vs-http2')).toBeCloseTo(0.5 / 0.6);
  });

  it("derives each operator layer and Node's floor for the CPU target", () => {
    // medians over rounds of (cr − go) = 0.2, 0.4
    expect(derived('layer-go')).toBeCloseTo(0.3);
    expect(derived('layer-opkit')).toBeCloseTo(0.3);
    // (node floor + cr − go) / cr = (0.5 + 0.2) / 0.5 in both rounds
    expect(derived('floor-target')).toBeCloseTo(1.4);
    expect(derived('opkit@node24-cpu')).toBeCloseTo(0.75);
    expect(derived('opkit@node24-rate')).toBeCloseTo(1.2);
  });

  it('leaves out the rows whose sides did not run', () => {
    const only = floorSummary(
      samples.filter((s) => s.side === 'opkit' || s.side === 'controller-runtime'),
      [facts('controller-runtime'), facts('opkit')],
    );
    expect(only.derived).toEqual([]);
    expect(floorMarkdown(only, 1000).join('\n')).not.toContain('What this run says');
    expect(floorMarkdown(summary, 1000).join('\n')).toContain("Node's floor for the CPU target");
  });
});
