import { describeError } from '../errors/opkit-error.js';
import { realClock, type Clock } from '../util/clock.js';
import { redactFields } from './redact.js';

/** Structured fields of one log line (or bindings of a child logger). */
export type LogFields = Readonly<Record<string, unknown>>;

/** Severity, from most to least verbose; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The small structured logger the runtime writes to. Adapt any logger (pino, winston, console) by
 * implementing these five methods.
 *
 * Guarantees (of the runtime's use): every method is called with a constant message and the
 * variable parts in `fields`; an error is passed as `fields.err` (an `Error` or any thrown value).
 * Caveats: implementations must not throw.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: LogFields): Logger;
  /**
   * Whether a line at `level` would be written (optional). The runtime asks before building what
   * only a written line needs (a reconcile's child logger and its reconcile ID); without it, it
   * assumes every level is written.
   */
  isLevelEnabled?(level: Exclude<LogLevel, 'silent'>): boolean;
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Lowest level written (default `info`). */
  readonly level?: LogLevel;
  /** Receives each line without its trailing newline (default: `process.stdout.write(line + '\n')`). */
  readonly write?: (line: string) => void;
  /** Source of the `time` field (default {@link realClock}). */
  readonly clock?: Clock;
  /** Fields added to every line. */
  readonly bindings?: LogFields;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** How many causes deep an error is rendered (a longer chain ends with its message only). */
const MAX_CAUSE_DEPTH = 5;

/**
 * Renders an error (or any thrown value) as plain JSON-safe fields; its `cause` the same way
 * (name, message, reason, stack: the user's error inside a FinalizerError keeps its stack).
 */
function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return { message: describeError(err), thrown: typeof err };
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string') out['reason'] = reason;
  if (err.stack !== undefined) out['stack'] = err.stack;
  if (err.cause !== undefined) out['cause'] = depth < MAX_CAUSE_DEPTH ? serializeError(err.cause, depth + 1) : { message: describeError(err.cause) };
  return out;
}

function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ level: record['level'], time: record['time'], msg: record['msg'], logError: 'unserializable fields' });
  }
}

/**
 * A {@link Logger} that writes one JSON object per line: `{"level","time","msg",...bindings,...fields}`,
 * `time` as RFC 3339 from the clock; `err` fields become `{name, message, reason?, stack?, cause?}` (`cause` rendered alike).
 *
 * Guarantees: never throws (unserializable fields are replaced); lines below `level` cost one
 * comparison; children share the parent's level and sink; `child()` costs one small object — its
 * bindings are merged and redacted when it first writes a line; the payload (`data`, `stringData`,
 * `binaryData`) of Secrets and other Kubernetes objects logged whole is redacted ({@link redactFields}).
 * Caveats: a child reads its bindings object when it first writes, so do not change it after
 * `child()` (a getter in it is read then, once); writes synchronously-buffered to stdout by default; not a replacement for pino in
 * high-volume production logging.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const rank = RANK[options.level ?? 'info'];
  const clock = options.clock ?? realClock;
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  // A child's bindings are merged (and redacted) when it first writes a line: a child made per
  // reconcile costs one small object until it logs at an enabled level.
  const make = (parent: () => LogFields, more: LogFields | undefined): Logger => {
    let merged: LogFields | undefined;
    const bindings = (): LogFields => (merged ??= more === undefined ? parent() : { ...parent(), ...redactFields(more) });
    const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
      if (RANK[level] < rank) return;
      const record: Record<string, unknown> = { level, time: new Date(clock.now()).toISOString(), msg, ...bindings(), ...(fields ? redactFields(fields) : {}) };
      if ('err' in record) record['err'] = serializeError(record['err']);
      try {
        write(safeStringify(record));
      } catch {
        // A broken sink must not break the caller.
      }
    };
    return {
      debug: (msg, fields) => log('debug', msg, fields),
      info: (msg, fields) => log('info', msg, fields),
      warn: (msg, fields) => log('warn', msg, fields),
      error: (msg, fields) => log('error', msg, fields),
      child: (more) => make(bindings, more),
      isLevelEnabled: (level) => RANK[level] >= rank,
    };
  };
  const root = redactFields(options.bindings ?? {});
  return make(() => root, undefined);
}

const discard = (): void => {};

/** A {@link Logger} that discards everything (for benchmarks and tests). */
export const silentLogger: Logger = Object.freeze({
  debug: discard,
  info: discard,
  warn: discard,
  error: discard,
  child: (): Logger => silentLogger,
  isLevelEnabled: (): boolean => false,
});
