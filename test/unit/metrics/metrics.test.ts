import { describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { OperatorMetrics, RECONCILE_TIME_BUCKETS, WORKQUEUE_BUCKETS } from '../../../runtime/src/metrics/metrics.js';
import { transportMetrics, watchHealthMetrics } from '../../../runtime/src/metrics/client.js';

const line = (text: string, prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));

describe('OperatorMetrics (controller-runtime names and labels, per-instance registry)', () => {
  it('makes its registry only when it is read or scraped, with every value recorded before, and registers later families at once', async () => {
    const m = new OperatorMetrics();
    const client = transportMetrics(m.lazyRegistry);
    watchHealthMetrics(m.lazyRegistry, () => []);
    m.controller.reconcileTotal('widget', 'success');
    m.workqueue('widget').add();
    client.response({ method: 'GET', status: 200, durationMs: 3, flowSchemaUid: undefined, priorityLevelUid: undefined });
    expect(m.lazyRegistry.created).toBe(false);
    const text = await m.scrape();
    expect(m.lazyRegistry.created).toBe(true);
    expect(line(text, 'controller_runtime_reconcile_total{controller="widget",result="success"}')).toMatch(/ 1$/);
    expect(line(text, 'workqueue_adds_total{name="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'rest_client_requests_total{code="200",method="GET"}')).toMatch(/ 1$/);
    expect(text).toContain('# TYPE workqueue_unfinished_work_seconds gauge');
    expect(text).toContain('# TYPE opkit_informer_watching gauge');
    const after = new OperatorMetrics();
    void after.registry;
    transportMetrics(after.lazyRegistry).poolFlushed();
    expect(line(await after.scrape(), 'opkit_rest_client_pool_flushes_total')).toMatch(/ 1$/);
  });

  it('exposes the controller_runtime_* metrics with controller and result labels', async () => {
    const m = new OperatorMetrics();
    m.controller.maxConcurrentReconciles('widget', 4);
    m.controller.reconcileTotal('widget', 'success');
    m.controller.reconcileTotal('widget', 'success');
    m.controller.reconcileTotal('widget', 'error');
    m.controller.reconcileError('widget');
    m.controller.terminalReconcileError('widget');
    m.controller.reconcileTime('widget', 0.03);
    m.controller.activeWorkers('widget', 2);
    const text = await m.scrape();
    expect(line(text, 'controller_runtime_reconcile_total{controller="widget",result="success"}')).toMatch(/ 2$/);
    expect(line(text, 'controller_runtime_reconcile_total{controller="widget",result="error"}')).toMatch(/ 1$/);
    expect(line(text, 'controller_runtime_reconcile_total{controller="widget",result="requeue_after"}')).toMatch(/ 0$/);
    expect(line(text, 'controller_runtime_reconcile_errors_total{controller="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'controller_runtime_terminal_reconcile_errors_total{controller="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'controller_runtime_reconcile_time_seconds_bucket{le="0.05",controller="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'controller_runtime_reconcile_time_seconds_count{controller="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'controller_runtime_max_concurrent_reconciles{controller="widget"}')).toMatch(/ 4$/);
    expect(line(text, 'controller_runtime_active_workers{controller="widget"}')).toMatch(/ 2$/);
    expect(text).toContain('# TYPE controller_runtime_reconcile_time_seconds histogram');
    expect(RECONCILE_TIME_BUCKETS).toHaveLength(40);
  });

  it('exposes the workqueue_* metrics with a name label, in seconds, with the unfinished-work probe read at scrape time', async () => {
    const m = new OperatorMetrics();
    const q = m.workqueue('widget');
    q.add();
    q.add();
    q.depth(2);
    q.latency(1.5);
    q.workDuration(20);
    q.retry();
    let probe = { totalMs: 0, longestMs: 0 };
    q.unfinishedWork(() => probe);
    probe = { totalMs: 3_000, longestMs: 2_000 };
    const text = await m.scrape();
    expect(line(text, 'workqueue_adds_total{name="widget"}')).toMatch(/ 2$/);
    expect(line(text, 'workqueue_depth{name="widget"}')).toMatch(/ 2$/);
    expect(line(text, 'workqueue_retries_total{name="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'workqueue_queue_duration_seconds_bucket{le="0.01",name="widget"}')).toMatch(/ 1$/);
    expect(line(text, 'workqueue_queue_duration_seconds_bucket{le="0.001",name="widget"}')).toMatch(/ 0$/);
    expect(line(text, 'workqueue_work_duration_seconds_sum{name="widget"}')).toMatch(/ 0.02$/);
    expect(line(text, 'workqueue_unfinished_work_seconds{name="widget"}')).toMatch(/ 3$/);
    expect(line(text, 'workqueue_longest_running_processor_seconds{name="widget"}')).toMatch(/ 2$/);
    expect(WORKQUEUE_BUCKETS[0]).toBe(1e-8);
    expect(WORKQUEUE_BUCKETS.at(-1)).toBe(1000);
  });

  it('reports leader_election_master_status{name}', async () => {
    const m = new OperatorMetrics();
    m.leaderElection.leading('op-lock', true);
    expect(line(await m.scrape(), 'leader_election_master_status{name="op-lock"}')).toMatch(/ 1$/);
    m.leaderElection.leading('op-lock', false);
    expect(line(await m.scrape(), 'leader_election_master_status{name="op-lock"}')).toMatch(/ 0$/);
  });

  it('keeps each instance separate and never touches prom-client’s global registry; users register their own metrics', async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.controller.reconcileTotal('x', 'success');
    expect(line(await b.scrape(), 'controller_runtime_reconcile_total{controller="x"')).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain('controller_runtime');
    const { Counter } = await import('prom-client');
    new Counter({ name: 'my_operator_widgets_total', help: 'mine', registers: [a.registry] }).inc(3);
    expect(line(await a.scrape(), 'my_operator_widgets_total')).toMatch(/ 3$/);
  });
});
