import type { Clock, Timer } from '../util/clock.js';

/** A deadline on one operation: its signal aborts when the caller's does or when the time is up. */
export interface Deadline {
  /** Aborts when the deadline passes or the parent signal aborts. */
  readonly signal: AbortSignal;
  /** Whether the deadline itself (not the parent signal) aborted `signal`. */
  readonly expired: boolean;
  /** Stops the timer only: `signal` still follows the parent (a watch once its answer arrived). */
  clearTimer(): void;
  /** Stops the timer and detaches from the parent signal (call it in `finally`). */
  cancel(): void;
}

/** Options of {@link startDeadline}. */
export interface DeadlineOptions {
  readonly clock: Clock;
  /** Time allowed, in ms; 0 or `Infinity` means no deadline (only the parent signal aborts). */
  readonly ms: number;
  /** The caller's signal (optional). */
  readonly parent?: AbortSignal | undefined;
  /** Called once when the deadline passes (before `signal` aborts). */
  readonly onExpire?: () => void;
}

/**
 * Starts a deadline on the injected clock.
 *
 * Guarantees: `expired` becomes true only through the timer, never through the parent signal; a
 * cancelled deadline never fires; a parent that already aborted aborts `signal` at once.
 */
export function startDeadline(options: DeadlineOptions): Deadline {
  // one controller per deadline (this runs for every request): the parent is followed by a listener
  const own = new AbortController();
  const parent = options.parent;
  let expired = false;
  let timer: Timer | undefined;
  const onParent = (): void => {
    timer?.cancel();
    own.abort(parent?.reason);
  };
  if (parent?.aborted) own.abort(parent.reason);
  else {
    parent?.addEventListener('abort', onParent, { once: true });
    if (options.ms > 0 && Number.isFinite(options.ms)) {
      timer = options.clock.setTimer(options.ms, () => {
        expired = true;
        parent?.removeEventListener('abort', onParent);
        options.onExpire?.();
        own.abort(new Error(`deadline of ${options.ms} ms passed`));
      });
    }
  }
  return {
    signal: own.signal,
    get expired() {
      return expired;
    },
    clearTimer() {
      timer?.cancel();
    },
    cancel() {
      timer?.cancel();
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** What a {@link Call} ends when it is aborted: the HTTP/2 stream or HTTP/1.1 request in flight. */
export interface CallIo {
  destroy(error?: Error): unknown;
}

/**
 * One request in flight under a {@link Deadlines} list: its deadline, the caller's signal, and the
 * I/O to end when either passes. Made by {@link Deadlines.start}, ended by {@link Deadlines.finish}.
 */
export class Call {
  /** When the deadline passes, on the list's clock (ms); `Infinity` without a deadline. */
  readonly at: number;
  /** Whether the deadline itself (not the caller's signal) aborted the call. */
  expired = false;
  /** Whether the call was aborted (deadline or caller's signal). */
  aborted = false;
  /** Why it was aborted: the deadline's Error or the caller's signal's reason. */
  reason: unknown = undefined;
  /** @internal the list's links (undefined when not listed) */
  prev: Call | undefined = undefined;
  /** @internal */
  next: Call | undefined = undefined;
  /** @internal */
  listed = false;
  /** @internal the caller's signal and the listener on it */
  parent: AbortSignal | undefined = undefined;
  /** @internal */
  onParent: (() => void) | undefined = undefined;
  #io: CallIo | undefined = undefined;

  /** @internal use {@link Deadlines.start} */
  constructor(at: number) {
    this.at = at;
  }

  /** Sets the I/O in flight (replacing a previous one); destroyed at once when already aborted. */
  attach(io: CallIo | undefined): void {
    this.#io = io;
    if (this.aborted && io) io.destroy(this.reason instanceof Error ? this.reason : new Error(String(this.reason)));
  }

  /** Aborts the call: marks it and destroys its I/O with `reason`. A second abort is a no-op. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const io = this.#io;
    this.#io = undefined;
    io?.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }

  /** @internal drops the I/O reference once the call is over (the stream must not be retained). */
  release(): void {
    this.#io = undefined;
  }
}

/** Options of {@link Deadlines}. */
export interface DeadlinesOptions {
  readonly clock: Clock;
  /** Time each call is allowed, in ms; 0 or `Infinity` means no deadline (only the caller's signal aborts). */
  readonly ms: number;
  /** Called once per call whose deadline passes, before it is aborted. */
  readonly onExpire?: (call: Call) => void;
}

/**
 * Deadlines of one duration for many calls, on one timer: what a request costs is a list link and
 * no timer or AbortController of its own. Calls are kept in start order, which is deadline order
 * (same duration); the timer is armed for the oldest call and re-armed for the next one when it
 * fires early (the oldest finished), so it fires about once per `ms` while calls keep coming.
 *
 * Guarantees: a call's deadline fires when the clock reaches `start + ms`, not later (the timer is
 * armed for exactly that time); `expired` is set only by the deadline, never by the caller's signal;
 * a finished call never fires; with no call listed no timer is pending.
 * Caveats: a wall clock that steps backwards delays the calls started after the step until the
 * ones before them are due.
 */
export class Deadlines {
  readonly #clock: Clock;
  readonly #ms: number;
  readonly #onExpire: ((call: Call) => void) | undefined;
  readonly #timed: boolean;
  #head: Call | undefined = undefined;
  #tail: Call | undefined = undefined;
  #timer: Timer | undefined = undefined;
  readonly #fire = (): void => this.#expireDue();

  constructor(options: DeadlinesOptions) {
    this.#clock = options.clock;
    this.#ms = options.ms;
    this.#onExpire = options.onExpire;
    this.#timed = options.ms > 0 && Number.isFinite(options.ms);
  }

  /** The duration of this list's deadlines, in ms. */
  get ms(): number {
    return this.#ms;
  }

  /**
   * Starts a call; `parent` (the caller's signal) aborts it too. A parent that already aborted
   * aborts the call at once.
   */
  start(parent?: AbortSignal): Call {
    const call = new Call(this.#timed ? this.#clock.now() + this.#ms : Infinity);
    if (parent !== undefined) {
      if (parent.aborted) {
        call.abort(parent.reason);
        return call;
      }
      call.parent = parent;
      call.onParent = () => {
        this.#unlink(call);
        call.abort(parent.reason);
      };
      parent.addEventListener('abort', call.onParent, { once: true });
    }
    if (this.#timed) {
      call.listed = true;
      const tail = this.#tail;
      if (tail === undefined) {
        this.#head = this.#tail = call;
        this.#timer = this.#clock.setTimer(this.#ms, this.#fire);
      } else {
        tail.next = call;
        call.prev = tail;
        this.#tail = call;
      }
    }
    return call;
  }

  /** Ends a call (answer read or failed): it leaves the list and its caller's signal. */
  finish(call: Call): void {
    this.#unlink(call);
    call.release();
    if (call.onParent !== undefined) {
      call.parent?.removeEventListener('abort', call.onParent);
      call.onParent = undefined;
      call.parent = undefined;
    }
  }

  /** Number of calls listed (in flight with a deadline). */
  get size(): number {
    let n = 0;
    for (let c = this.#head; c !== undefined; c = c.next) n++;
    return n;
  }

  #unlink(call: Call): void {
    if (!call.listed) return;
    call.listed = false;
    const { prev, next } = call;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    call.prev = call.next = undefined;
    if (this.#head === undefined) {
      this.#timer?.cancel();
      this.#timer = undefined;
    }
  }

  #expireDue(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (let call = this.#head; call !== undefined && call.at <= now; call = this.#head) {
      this.#unlink(call);
      call.expired = true;
      this.#onExpire?.(call);
      call.abort(new Error(`deadline of ${this.#ms} ms passed`));
    }
    const head = this.#head;
    if (head !== undefined && this.#timer === undefined) this.#timer = this.#clock.setTimer(head.at - now, this.#fire);
  }
}
