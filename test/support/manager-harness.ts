import type { KubeConfig } from '@kubernetes/client-node';
import { Namespace } from '../../runtime/src/api/builtins.js';
import type { Client } from '../../runtime/src/client/client.js';
import { createJsonLogger, type Logger } from '../../runtime/src/log/logger.js';
import { Manager, type ManagerOptions } from '../../runtime/src/manager/manager.js';
import type { Widget } from './widget.js';

/** A JSON logger whose parsed lines land in `lines`. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createJsonLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) };
}

/** A started manager limited to `namespace`, and how to stop it. */
export interface RunningManager {
  readonly mgr: Manager;
  readonly lines: Array<Record<string, unknown>>;
  /** The promise `mgr.start()` returned. */
  readonly done: Promise<void>;
  /** Aborts the manager's signal and waits for `start()` to resolve. */
  stop(): Promise<void>;
}

/** Builds a manager (`build` registers controllers), starts it, returns it running. */
export function runManager(
  kubeConfig: KubeConfig,
  namespace: string,
  build: (mgr: Manager) => void,
  options: Partial<ManagerOptions> = {},
): RunningManager {
  const { logger, lines } = captureLogger();
  const mgr = new Manager({ kubeConfig, namespace, logger, gracefulShutdownTimeoutMs: 10_000, ...options });
  build(mgr);
  const abort = new AbortController();
  const done = mgr.start(abort.signal);
  return {
    mgr,
    lines,
    done,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** Creates a namespace. */
export async function createNamespace(client: Client, name: string): Promise<void> {
  await client.create(Namespace, { metadata: { name } });
}

/** A Widget manifest. */
export function widget(namespace: string, name: string, spec: Widget['spec'] = { size: 1 }, labels?: Record<string, string>): Widget {
  return { metadata: { namespace, name, ...(labels ? { labels } : {}) }, spec };
}
