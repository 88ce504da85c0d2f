import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import type { ManagerOptions } from '../../../runtime/src/manager/manager.js';
import { runManager, type RunningManager } from '../../support/manager-harness.js';
import { Widget } from '../../support/widget.js';

/** One reconcile the test operator ran: which object at which generation, and when. */
export interface Seen {
  readonly name: string;
  readonly generation: number;
  /** `performance.now()` when the reconcile read the object. */
  readonly at: number;
}

/**
 * A manager with the test operator: a Widget controller that reads the Widget from the cache,
 * records what it saw, and writes `status.observedGeneration` (so a failed write is retried by the
 * controller like any reconcile error).
 */
export function runWidgetOperator(kubeConfig: KubeConfig, namespace: string, options: Partial<ManagerOptions> = {}): RunningManager & { seen: Seen[] } {
  const seen: Seen[] = [];
  const run = runManager(
    kubeConfig,
    namespace,
    (mgr) =>
      controller(mgr)
        .for(Widget)
        .concurrency(4)
        .reconcile(async (req, ctx) => {
          let w: Widget;
          try {
            w = await ctx.client.get(Widget, req);
          } catch (err) {
            if (isNotFound(err)) return;
            throw err;
          }
          const generation = w.metadata?.generation ?? 0;
          seen.push({ name: req.name, generation, at: performance.now() });
          if (w.status?.observedGeneration === generation) return;
          await ctx.client.status.patch(Widget, req, { status: { observedGeneration: generation } });
        }),
    options,
  );
  return { ...run, seen };
}

/** When the operator first reconciled `name` at `generation` or later (undefined: not yet). */
export function firstSeen(seen: readonly Seen[], name: string, generation: number): number | undefined {
  return seen.find((s) => s.name === name && s.generation >= generation)?.at;
}

/** GETs `/readyz` on the manager's probe port: the status, 0 when it does not answer within 1 s. */
export async function readyz(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}
