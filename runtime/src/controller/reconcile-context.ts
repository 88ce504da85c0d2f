import { randomUUID } from 'node:crypto';
import type { Client, Reader } from '../client/client.js';
import type { Logger, LogFields, LogLevel } from '../log/logger.js';
import type { Request } from './handlers.js';
import type { PrimaryEventRecorder, ReconcileContext } from './reconciler.js';

/** What every reconcile's {@link ReconcileContext} of one controller run shares. @internal */
export interface ReconcileContextParts {
  readonly client: Client;
  readonly apiReader: Reader;
  /** Aborts when the controller stops (after the graceful drain). */
  readonly signal: AbortSignal;
  readonly controller: string;
  /** The controller's logger; the reconcile's adds namespace, name and reconcileID. */
  readonly logger: Logger;
  /** Builds `ctx.recorder` (once, when first read). */
  readonly recorder: (request: Request) => PrimaryEventRecorder;
}

/**
 * The context a reconciler gets, built for each reconcile at the cost of one object: the reconcile
 * ID, the child logger and the recorder are made when first used.
 *
 * Guarantees: `reconcileId` is one UUID per reconcile, the same on every read and on every log
 * line (`reconcileID`); `log` writes exactly what a child logger with namespace, name and
 * reconcileID would. Caveats: its fields are getters on the prototype, so `{ ...ctx }` does not
 * copy `reconcileId`, `log` or `recorder`; read them by name. @internal
 */
export class LazyReconcileContext implements ReconcileContext {
  readonly client: Client;
  readonly apiReader: Reader;
  readonly signal: AbortSignal;
  readonly request: Request;
  readonly controller: string;
  readonly #parts: ReconcileContextParts;
  #id: string | undefined;
  #log: Logger | undefined;
  #recorder: PrimaryEventRecorder | undefined;

  /** `parts` are the controller run's (built once), `request` the key being reconciled. */
  constructor(parts: ReconcileContextParts, request: Request) {
    this.#parts = parts;
    this.client = parts.client;
    this.apiReader = parts.apiReader;
    this.signal = parts.signal;
    this.request = request;
    this.controller = parts.controller;
  }

  get reconcileId(): string {
    return (this.#id ??= randomUUID());
  }

  get log(): Logger {
    return (this.#log ??= new ReconcileLogger(this));
  }

  get recorder(): PrimaryEventRecorder {
    return (this.#recorder ??= this.#parts.recorder(this.request));
  }

  /** The controller's logger (what {@link ReconcileLogger} derives its child from). */
  get parentLogger(): Logger {
    return this.#parts.logger;
  }
}

type Level = Exclude<LogLevel, 'silent'>;

/**
 * A reconcile's logger: the controller's logger's child with namespace, name and reconcileID,
 * made on the first line written at an enabled level (so a reconcile that logs only at disabled
 * levels makes no child and no reconcile ID). @internal
 */
export class ReconcileLogger implements Logger {
  readonly #ctx: LazyReconcileContext;
  #child: Logger | undefined;

  constructor(ctx: LazyReconcileContext) {
    this.#ctx = ctx;
  }

  #get(): Logger {
    const { request } = this.#ctx;
    return (this.#child ??= this.#ctx.parentLogger.child({ namespace: request.namespace, name: request.name, reconcileID: this.#ctx.reconcileId }));
  }

  #write(level: Level, msg: string, fields: LogFields | undefined): void {
    if (this.#child === undefined && this.#ctx.parentLogger.isLevelEnabled?.(level) === false) return;
    this.#get()[level](msg, fields);
  }

  debug(msg: string, fields?: LogFields): void {
    this.#write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.#write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write('error', msg, fields);
  }

  child(bindings: LogFields): Logger {
    return this.#get().child(bindings);
  }

  isLevelEnabled(level: Level): boolean {
    return this.#ctx.parentLogger.isLevelEnabled?.(level) ?? true;
  }
}
