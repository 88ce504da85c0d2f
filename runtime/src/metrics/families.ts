import type { Counter, Gauge, Histogram } from 'prom-client';
import { onRegistry, type MetricsRegistry } from './lazy-registry.js';

/**
 * Metric families whose hot path is a plain field update: prom-client hashes the label set on
 * every `inc`/`set`/`observe` (even through `labels(...)` children), which costs more than the
 * rest of an in-memory reconcile. These keep one state object per label set, handed out once, and
 * copy the values into prom-client only when the registry is scraped.
 *
 * Guarantees: the exposition is prom-client's own (same names, types, label order, `le` buckets);
 * a child costs one map lookup when created and nothing per update.
 * Caveats: children are never removed (label sets here are controller and queue names, bounded).
 */

type Labels<L extends string> = Readonly<Record<L, string>>;

interface FamilyOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Where the family is registered: now, or when a {@link LazyRegistry} is first used. */
  readonly registry: MetricsRegistry;
}

const keyOf = (labels: Readonly<Record<string, string>>): string => JSON.stringify(labels);

/** A scalar series: the value the next scrape reports. */
export interface ScalarChild {
  value: number;
}

function children<L extends string, C>(make: (labels: Labels<L>) => C): { child(labels: Labels<L>): C; all(): IterableIterator<[Labels<L>, C]> } {
  const map = new Map<string, [Labels<L>, C]>();
  return {
    child(labels) {
      const key = keyOf(labels);
      let entry = map.get(key);
      if (entry === undefined) map.set(key, (entry = [labels, make(labels)]));
      return entry[1];
    },
    all: () => map.values(),
  };
}

/** A counter family; increment `child(labels).value` (never decrease it). */
export function counterFamily<L extends string>(o: FamilyOptions<L>): { child(labels: Labels<L>): ScalarChild } {
  const family = children<L, ScalarChild>(() => ({ value: 0 }));
  onRegistry(o.registry, (registry, prom) => {
    new prom.Counter<L>({
      name: o.name,
      help: o.help,
      labelNames: o.labelNames,
      registers: [registry],
      collect(this: Counter<L>) {
        this.reset();
        for (const [labels, c] of family.all()) this.inc(labels as never, c.value);
      },
    });
  });
  return family;
}

/** A gauge family; set `child(labels).value`. */
export function gaugeFamily<L extends string>(o: FamilyOptions<L>): { child(labels: Labels<L>): ScalarChild } {
  const family = children<L, ScalarChild>(() => ({ value: 0 }));
  onRegistry(o.registry, (registry, prom) => {
    new prom.Gauge<L>({
      name: o.name,
      help: o.help,
      labelNames: o.labelNames,
      registers: [registry],
      collect(this: Gauge<L>) {
        for (const [labels, c] of family.all()) this.set(labels as never, c.value);
      },
    });
  });
  return family;
}

interface HistogramState {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** One value of prom-client's histogram export (`getForPromString`). */
interface ExportValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/** A histogram family's state: per label set, bucket counts, sum and count. */
class HistogramFamily<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly bounds: readonly number[];
  readonly family = children<L, HistogramState>(() => ({ counts: new Float64Array(this.bounds.length), sum: 0, count: 0 }));

  constructor(o: { readonly name: string; readonly help: string; readonly buckets: readonly number[] }) {
    this.name = o.name;
    this.help = o.help;
    this.bounds = [...o.buckets].sort((a, b) => a - b);
  }

  /** An observer for one label set: records `value` (in the metric's unit). */
  observer(labels: Labels<L>): (value: number) => void {
    const state = this.family.child(labels);
    const bounds = this.bounds;
    return (value) => {
      let lo = 0;
      let hi = bounds.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (value <= (bounds[mid] ?? Infinity)) hi = mid;
        else lo = mid + 1;
      }
      if (lo < state.counts.length) state.counts[lo] = (state.counts[lo] ?? 0) + 1;
      state.sum += value;
      state.count++;
    };
  }

  /** What prom-client's registry reads when rendering the text format. */
  exportValues(): { name: string; help: string; type: 'histogram'; values: ExportValue[]; aggregator: 'sum' } {
    const values: ExportValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [labels, s] of this.family.all()) {
      const shared = labels as Record<string, string>;
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i] ?? 0;
        values.push({ labels: { le }, sharedLabels: shared, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}

/** A histogram family; `observer(labels)` returns the hot-path function. */
export function histogramFamily<L extends string>(o: FamilyOptions<L> & { readonly buckets: readonly number[] }): { observer(labels: Labels<L>): (value: number) => void } {
  const state = new HistogramFamily<L>(o);
  onRegistry(o.registry, (registry, prom) => {
    // prom-client's Histogram (name, type, registration), rendering this family's state.
    class FastHistogram extends prom.Histogram<L> {
      async getForPromString(): Promise<ReturnType<HistogramFamily<L>['exportValues']>> {
        return state.exportValues();
      }

      override async get(): ReturnType<Histogram<L>['get']> {
        const data = state.exportValues();
        const values = data.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
        return { ...data, values } as unknown as Awaited<ReturnType<Histogram<L>['get']>>;
      }
    }
    new FastHistogram({ name: o.name, help: o.help, labelNames: o.labelNames, buckets: [...o.buckets], registers: [registry] });
  });
  return state;
}
