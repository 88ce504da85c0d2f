import type { KubeObject } from '../../runtime/src/api/resource.js';
import type { Client, Reader } from '../../runtime/src/client/client.js';
import type { ControllerHost } from '../../runtime/src/controller/builder.js';
import type { ControllerMetrics, ReconcileResultLabel } from '../../runtime/src/controller/metrics.js';
import { createJsonLogger } from '../../runtime/src/log/logger.js';
import type { EventRecorder, EventType } from '../../runtime/src/events/recorder.js';
import type { Runnable } from '../../runtime/src/lifecycle/runnable.js';
import { FakeClock, flushMicrotasks } from '../../runtime/src/util/fake-clock.js';
import { FakeCache } from './fake-cache.js';

/** A metrics sink that records every call. */
export class RecordingMetrics implements ControllerMetrics {
  readonly totals: Array<{ controller: string; result: ReconcileResultLabel }> = [];
  errors = 0;
  terminal = 0;
  times: number[] = [];
  active: number[] = [];
  max: number[] = [];
  reconcileTotal(controller: string, result: ReconcileResultLabel): void {
    this.totals.push({ controller, result });
  }
  reconcileError(): void {
    this.errors++;
  }
  terminalReconcileError(): void {
    this.terminal++;
  }
  reconcileTime(_c: string, seconds: number): void {
    this.times.push(seconds);
  }
  activeWorkers(_c: string, n: number): void {
    this.active.push(n);
  }
  maxConcurrentReconciles(_c: string, n: number): void {
    this.max.push(n);
  }
}

/** One event a {@link fakeHost} recorder received. */
export interface RecordedEvent {
  readonly controller: string;
  readonly regarding: KubeObject;
  readonly type: EventType;
  readonly reason: string;
  readonly action: string;
  readonly note: string | undefined;
}

/** A fake manager for unit tests: fake cache, fake clock, captured JSON log lines and events. */
export function fakeHost(options: { gracefulShutdownTimeoutMs?: number; client?: Client; apiReader?: Reader } = {}) {
  const cache = new FakeCache();
  const clock = new FakeClock({ start: 1_000_000 });
  const lines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({ level: 'debug', clock, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const runnables: Runnable[] = [];
  const metrics = new RecordingMetrics();
  const events: RecordedEvent[] = [];
  const host: ControllerHost = {
    cache,
    client: options.client ?? ({} as Client),
    apiReader: options.apiReader ?? ({} as Reader),
    eventRecorder: (controller): EventRecorder => ({
      event: (regarding, type, reason, action, note) => void events.push({ controller, regarding, type, reason, action, note }),
    }),
    clock,
    logger,
    controllerMetrics: metrics,
    workqueueMetrics: () => undefined,
    namespace: undefined,
    gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs ?? 1000,
    add: (r) => runnables.push(r),
  };
  return { host, cache, clock, lines, runnables, metrics, events };
}

/** Flushes microtasks and immediates until `cond` holds (at most `rounds` times). */
export async function settle(cond: () => boolean = () => false, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !cond(); i++) await flushMicrotasks();
}
