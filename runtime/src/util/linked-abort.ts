/** A signal that aborts when any of its sources does, and how to detach it from them. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Removes the listeners from the sources (call it when done, e.g. in `finally`). */
  dispose(): void;
}

/**
 * Links `sources` into one signal, like `AbortSignal.any`, but with explicit disposal so that
 * loops that link a long-lived signal on every iteration leave no listener behind.
 * Guarantees: aborts synchronously (with the first source's reason) when any source aborts; an
 * already-aborted source aborts it at once.
 */
export function linkAbort(sources: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const ctl = new AbortController();
  const attached: Array<{ source: AbortSignal; listener: () => void }> = [];
  const dispose = (): void => {
    for (const { source, listener } of attached) source.removeEventListener('abort', listener);
    attached.length = 0;
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      ctl.abort(source.reason);
      dispose();
      break;
    }
    const listener = (): void => {
      ctl.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', listener, { once: true });
    attached.push({ source, listener });
  }
  return { signal: ctl.signal, dispose };
}
