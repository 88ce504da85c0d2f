import type { Counter, Gauge, Histogram } from 'prom-client';
import { onRegistry, type MetricsRegistry } from './lazy-registry.js';

/**
 * Metric families whose hot path is a plain field update: prom-client hashes the label set on
 * every `inc`/`set`/`observe` (even through `labels(...)` children), which costs more than the
 * rest of an in-memory reconcile. These keep one state object per label set, handed out once, and
 * copy the values into prom-client only when the registry is scraped.
 *
 * Guarantees: the exposition is prom-client's own (same names, types, label order, `le` buckets);
 * finding a child costs one Map lookup per label and allocates nothing; an update costs nothing more.
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

/** A scalar series: the value the next scrape reports. */
export interface ScalarChild {
  value: number;
}

/**
 * A family's children, found by their label values in `labelNames` order through one Map per
 * label: a lookup builds no key string and allocates nothing (the transport looks a child up on
 * every answer, by API Priority and Fairness UIDs). An undefined value counts as `''`.
 */
function children<L extends string, C>(
  labelNames: readonly L[],
  make: (labels: Labels<L>) => C,
): { child(labels: Labels<L>): C; all(): IterableIterator<[Labels<L>, C]> } {
  const entries = new Map<Labels<L>, C>();
  const root = new Map<string, unknown>();
  const depth = labelNames.length;
  const create = (labels: Labels<L>): C => {
    const own = { ...labels };
    const created = make(own);
    entries.set(own, created);
    return created;
  };
  return {
    child(labels) {
      if (depth === 0) {
        const only = root.get('') as C | undefined;
        if (only !== undefined) return only;
        const created = create(labels);
        root.set('', created);
        return created;
      }
      let level = root;
      for (let i = 0; i < depth - 1; i++) {
        const value = labels[labelNames[i] as L] ?? '';
        let next = level.get(value) as Map<string, unknown> | undefined;
        if (next === undefined) level.set(value, (next = new Map()));
        level = next;
      }
      const last = labels[labelNames[depth - 1] as L] ?? '';
      const found = level.get(last) as C | undefined;
      if (found !== undefined) return found;
      const created = create(labels);
      level.set(last, created);
      return created;
    },
    all: () => entries.entries(),
  };
}

/** A counter family; increment `child(labels).value` (never decrease it). */
export function counterFamily<L extends string>(o: FamilyOptions<L>): { child(labels: Labels<L>): ScalarChild } {
  const family = children<L, ScalarChild>(o.labelNames, () => ({ value: 0 }));
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
  const family = children<L, ScalarChild>(o.labelNames, () => ({ value: 0 }));
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
  readonly family: ReturnType<typeof children<L, HistogramState>>;

  constructor(o: { readonly name: string; readonly help: string; readonly labelNames: readonly L[]; readonly buckets: readonly number[] }) {
    this.name = o.name;
    this.help = o.help;
    this.bounds = [...o.buckets].sort((a, b) => a - b);
    const size = this.bounds.length;
    this.family = children<L, HistogramState>(o.labelNames, () => ({ counts: new Float64Array(size), sum: 0, count: 0 }));
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
