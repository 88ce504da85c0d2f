import type { Counter, Gauge, Registry } from 'prom-client';
import type { InformerWatchHealth } from '../cache/types.js';
import { gvkString } from '../api/resource.js';
import type { TransportMetrics } from '../client/metrics.js';
import { counterFamily, histogramFamily, type ScalarChild } from './families.js';
import { onRegistry, type MetricsRegistry } from './lazy-registry.js';

/** client-go's `rest_client_request_duration_seconds` buckets. */
const REQUEST_BUCKETS: readonly number[] = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * The API client's metrics: client-go's `rest_client_requests_total{code,method}` and
 * `rest_client_request_duration_seconds{verb}`, plus `opkit_rest_client_apf_requests_total{flow_schema_uid,priority_level_uid}`
 * (API Priority and Fairness classification of answers), `opkit_rest_client_deadline_exceeded_total{kind}`,
 * `opkit_rest_client_retry_after_total{code}` and `opkit_rest_client_pool_flushes_total`.
 */
export function transportMetrics(registry: MetricsRegistry): TransportMetrics {
  const requests = counterFamily({ registry, name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code and method.', labelNames: ['code', 'method'] });
  const duration = histogramFamily({ registry, name: 'rest_client_request_duration_seconds', help: 'Request latency in seconds, by verb.', labelNames: ['verb'], buckets: REQUEST_BUCKETS });
  const apf = counterFamily({ registry, name: 'opkit_rest_client_apf_requests_total', help: 'Answers by API Priority and Fairness flow schema and priority level UID.', labelNames: ['flow_schema_uid', 'priority_level_uid'] });
  const deadlines = counterFamily({ registry, name: 'opkit_rest_client_deadline_exceeded_total', help: 'Requests and watch opens that passed their deadline (their connection was destroyed).', labelNames: ['kind'] });
  const retryAfter = counterFamily({ registry, name: 'opkit_rest_client_retry_after_total', help: 'Answers that asked the client to wait (Retry-After), by status code.', labelNames: ['code'] });
  const flushes = counterFamily({ registry, name: 'opkit_rest_client_pool_flushes_total', help: 'Times the idle keep-alive connections were destroyed after a stall or a deadline.', labelNames: [] });
  // per method, then per status / flow schema, then priority level: no label object, key string or
  // JSON key is built per answer once a combination was seen
  const requestChildren = new Map<string, Map<number, ScalarChild>>();
  const observers = new Map<string, (seconds: number) => void>();
  const apfChildren = new Map<string, Map<string, ScalarChild>>();
  return {
    response: (o) => {
      let byStatus = requestChildren.get(o.method);
      if (byStatus === undefined) requestChildren.set(o.method, (byStatus = new Map()));
      let counter = byStatus.get(o.status);
      if (counter === undefined) byStatus.set(o.status, (counter = requests.child({ code: o.status === 0 ? '<error>' : String(o.status), method: o.method })));
      counter.value++;
      if (o.status !== 0) {
        let observe = observers.get(o.method);
        if (observe === undefined) observers.set(o.method, (observe = duration.observer({ verb: o.method })));
        observe(o.durationMs / 1000);
      }
      if (o.flowSchemaUid !== undefined || o.priorityLevelUid !== undefined) {
        const fs = o.flowSchemaUid ?? '';
        const pl = o.priorityLevelUid ?? '';
        let byLevel = apfChildren.get(fs);
        if (byLevel === undefined) apfChildren.set(fs, (byLevel = new Map()));
        let child = byLevel.get(pl);
        if (child === undefined) byLevel.set(pl, (child = apf.child({ flow_schema_uid: fs, priority_level_uid: pl })));
        child.value++;
      }
    },
    deadlineExceeded: (kind) => void deadlines.child({ kind }).value++,
    retryAfter: (status) => void retryAfter.child({ code: String(status) }).value++,
    poolFlushed: () => void flushes.child({}).value++,
  };
}

/**
 * The informers' watch health, read at scrape time: `opkit_informer_watching{kind,namespace}` (1
 * while a watch is open, 0 while events are not flowing) and `opkit_informer_watch_stalls_total{kind,namespace}`.
 */
export function watchHealthMetrics(target: MetricsRegistry, probe: () => readonly InformerWatchHealth[]): void {
  const labels = (h: InformerWatchHealth) => ({ kind: gvkString(h.resource), namespace: h.scope.namespace ?? '' });
  onRegistry(target, (registry, prom) => register(registry, prom.Gauge, prom.Counter, probe, labels));
}

function register(
  registry: Registry,
  GaugeClass: typeof Gauge,
  CounterClass: typeof Counter,
  probe: () => readonly InformerWatchHealth[],
  labels: (h: InformerWatchHealth) => { kind: string; namespace: string },
): void {
  new GaugeClass({
    name: 'opkit_informer_watching',
    help: 'Whether the informer has an open watch (1) or events are not flowing (0).',
    labelNames: ['kind', 'namespace'] as const,
    registers: [registry],
    collect(this: Gauge<'kind' | 'namespace'>) {
      for (const h of probe()) this.set(labels(h), h.watching ? 1 : 0);
    },
  });
  new CounterClass({
    name: 'opkit_informer_watch_stalls_total',
    help: 'Watch connections the informer found stalled (no event, bookmark or end within the stall timeout).',
    labelNames: ['kind', 'namespace'] as const,
    registers: [registry],
    collect(this: Counter<'kind' | 'namespace'>) {
      this.reset();
      for (const h of probe()) this.inc(labels(h), h.stalls);
    },
  });
}
