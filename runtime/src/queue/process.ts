import { setMaxListeners } from 'node:events';
import { checkNumber, WorkqueueError } from './errors.js';
import { linkAbort } from '../lifecycle/abort.js';

/** The work done for one key; may be synchronous or return a promise. */
export type ProcessFn = (key: string) => Promise<void> | void;

/** Options of {@link Workqueue.process}. */
export interface ProcessOptions {
  /** Number of workers, an integer ≥ 1 (default 1). */
  readonly concurrency?: number;
  /**
   * Stop taking keys when this aborts; the returned promise resolves once every worker's current
   * `fn` has settled. Aborting does not shut the queue down.
   */
  readonly signal?: AbortSignal;
  /**
   * Called (before `done`) with whatever `fn` threw; the worker then carries on. When omitted, a
   * throw stops every worker and `process` rejects with a {@link WorkqueueError} `ProcessorFailed`
   * whose `cause` is the error — so wrap `fn` (the controller does) or pass `onError`. If `onError`
   * itself throws, that is treated the same way.
   */
  readonly onError?: (error: unknown, key: string) => void;
}

/** What the workers need from a queue. @internal */
export interface WorkSource {
  /** The next queued key without waiting, or `undefined` when none is queued. */
  tryGet(): string | undefined;
  get(signal?: AbortSignal): Promise<string | undefined>;
  done(key: string): void;
}

/** Keys a worker handles back to back before it lets timers and I/O run. */
const YIELD_EVERY = 64;

/**
 * Runs `options.concurrency` workers over `source`, each `get` → `await fn(key)` → `done(key)`.
 * @internal use {@link Workqueue.process}.
 */
export function runWorkers(source: WorkSource, fn: ProcessFn, options: ProcessOptions): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  checkNumber('concurrency', concurrency, { min: 1, integer: true });
  return run(source, fn, concurrency, options);
}

async function run(source: WorkSource, fn: ProcessFn, concurrency: number, options: ProcessOptions): Promise<void> {
  const { signal, onError } = options;
  const stop = linkAbort([signal]);
  // every waiting worker listens on `stop`: allow one listener per worker without Node's leak warning
  setMaxListeners(concurrency + 10, stop.signal);

  let failure: WorkqueueError | undefined;
  const fail = (error: unknown, key: string): void => {
    failure ??= new WorkqueueError({
      reason: 'ProcessorFailed',
      message: `workqueue processor failed on key "${key}"; pass onError to keep workers running`,
      cause: error,
    });
    stop.abort();
  };

  const worker = async (): Promise<void> => {
    let handled = 0;
    for (;;) {
      // a queued key is taken at once: no promise, no turn of the microtask queue
      const key = stop.signal.aborted ? undefined : (source.tryGet() ?? (await source.get(stop.signal)));
      if (key === undefined) return;
      try {
        await fn(key);
      } catch (error) {
        if (onError === undefined) {
          fail(error, key);
        } else {
          try {
            onError(error, key);
          } catch (handlerError) {
            fail(handlerError, key);
          }
        }
      } finally {
        source.done(key);
      }
      if (++handled % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    stop.dispose();
  }
  if (failure !== undefined) throw failure;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
