import type { Logger, LogFields } from './logger.js';
import { redactFields } from './redact.js';

/** The part of a pino (^9) logger that {@link pinoLogger} uses; any pino instance satisfies it. */
export interface PinoLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): PinoLike;
  /** pino's own; when present, {@link Logger.isLevelEnabled} answers with it. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * Adapts a pino logger to the runtime's {@link Logger}: `logger.info(msg, fields)` becomes
 * `pino.info(fields, msg)` (so `err` goes through pino's error serializer), `child` maps to
 * pino's `child`. Pass it as `new Manager({ logger: pinoLogger(pino({ level: 'info' })) })`.
 *
 * Guarantees: fields and bindings go through {@link redactFields} first, so the payload of
 * Secrets (and other Kubernetes objects) logged whole is never handed to pino; never throws.
 * Caveats: the level is pino's own (`pino({ level })`); the manager's `logLevel` option only
 * configures its default JSON logger.
 */
export function pinoLogger(pino: PinoLike): Logger {
  const call = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: LogFields): void => {
    try {
      pino[level](fields ? { ...redactFields(fields) } : {}, msg);
    } catch {
      // A broken sink must not break the caller.
    }
  };
  return {
    debug: (msg, fields) => call('debug', msg, fields),
    info: (msg, fields) => call('info', msg, fields),
    warn: (msg, fields) => call('warn', msg, fields),
    error: (msg, fields) => call('error', msg, fields),
    child: (bindings) => pinoLogger(pino.child({ ...redactFields(bindings) })),
    ...(pino.isLevelEnabled ? { isLevelEnabled: (level: 'debug' | 'info' | 'warn' | 'error') => pino.isLevelEnabled?.(level) ?? true } : {}),
  };
}
