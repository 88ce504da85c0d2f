/**
 * Progress of a slow step: a spinner with elapsed seconds on a terminal, periodic "still working"
 * lines elsewhere (CI logs), and a closing line with the duration.
 * @module
 */
import type { Writable } from 'node:stream';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  readonly out: Writable;
  /** Draw a spinner (a terminal); otherwise print a line every `lineEveryMs`. */
  readonly tty: boolean;
  /** Default 15 000 ms. */
  readonly lineEveryMs?: number;
  /** Milliseconds since an arbitrary origin. Default `performance.now`. */
  readonly now?: () => number;
}

/** A running progress indicator. */
export interface Progress {
  /** Stops it and prints `✔ <message> (<seconds> s)` or `✖ <message> (<seconds> s)`. */
  done(ok: boolean, message: string): void;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Shows `label` as in progress until {@link Progress.done}. */
export function startProgress(label: string, options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const out = options.out;
  let frame = 0;
  let timer: NodeJS.Timeout;
  if (options.tty) {
    const draw = (): void => {
      out.write(`\r${FRAMES[frame % FRAMES.length] ?? ''} ${label} ${Math.floor((now() - start) / 1000)}s `);
      frame += 1;
    };
    draw();
    timer = setInterval(draw, 100);
  } else {
    out.write(`${label}…\n`);
    timer = setInterval(() => out.write(`  still working: ${label} (${Math.round((now() - start) / 1000)} s)\n`), options.lineEveryMs ?? 15_000);
  }
  timer.unref();
  return {
    done(ok, message) {
      clearInterval(timer);
      out.write(`${options.tty ? '\r\x1b[2K' : ''}${ok ? '✔' : '✖'} ${message} (${seconds(now() - start)} s)\n`);
    },
  };
}
