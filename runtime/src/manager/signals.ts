/** Options of {@link setupSignalHandler}. */
export interface SignalHandlerOptions {
  /** Signals that stop the manager (default `SIGTERM` and `SIGINT`). */
  readonly signals?: readonly NodeJS.Signals[];
  /** Where signals are received and the process is exited (default the global `process`). */
  readonly target?: Pick<NodeJS.Process, 'once' | 'exit'>;
}

/**
 * controller-runtime's `SetupSignalHandler`: a signal that aborts on the first SIGTERM/SIGINT (so
 * `mgr.start(signal)` shuts down gracefully); a second one exits at once with code 1.
 *
 * Guarantees: call it once, at the entry point; the listeners do not keep the process alive.
 * Caveats: it replaces Node's default "exit on SIGINT" behaviour for the listed signals.
 */
export function setupSignalHandler(options: SignalHandlerOptions = {}): AbortSignal {
  const target = options.target ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const ctl = new AbortController();
  const second = (): void => target.exit(1);
  for (const name of signals) {
    target.once(name, () => {
      if (ctl.signal.aborted) return second();
      ctl.abort(new Error(`received ${name}`));
      target.once(name, second);
    });
  }
  return ctl.signal;
}
