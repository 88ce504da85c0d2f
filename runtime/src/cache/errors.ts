import { OpkitError } from '../errors/opkit-error.js';

/** Why the cache refused a request. */
export type CacheErrorReason = 'CacheNotStarted' | 'CacheAlreadyStarted' | 'MissingFieldIndex' | 'InvalidSelector' | 'InformerStopped';

/** An error of the informer cache. None is retryable: each one is a usage error or a shutdown. */
export class CacheError extends OpkitError {
  declare readonly reason: CacheErrorReason;

  constructor(options: { reason: CacheErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}

/** A read from a cache whose `start` was not called: it would wait forever. */
export class CacheNotStartedError extends CacheError {
  constructor(what: string) {
    super({ reason: 'CacheNotStarted', message: `${what}: the cache is not started; call cache.start(signal) first (the manager does this)` });
  }
}

/** `list` with a field selector on a field that has no index. */
export class MissingFieldIndexError extends CacheError {
  /** The field, e.g. `spec.nodeName`. */
  readonly field: string;

  constructor(options: { field: string; gvk: string }) {
    super({
      reason: 'MissingFieldIndex',
      message: `cannot list ${options.gvk} by field "${options.field}" from the cache: no index; register one with cache.indexField(${options.gvk.split('.')[0]}, '${options.field}', obj => [...]) before starting the cache`,
    });
    this.field = options.field;
  }
}

/** A label or field selector that does not parse, or uses an operator the cache cannot answer. */
export class InvalidSelectorError extends CacheError {
  readonly selector: string;

  constructor(options: { selector: string; detail: string }) {
    super({ reason: 'InvalidSelector', message: `invalid selector "${options.selector}": ${options.detail}` });
    this.selector = options.selector;
  }
}

/** `waitForSync` on an informer that stopped (its signal aborted) before it synced. */
export class InformerStoppedError extends CacheError {
  constructor(gvk: string) {
    super({ reason: 'InformerStopped', message: `the ${gvk} informer stopped before it synced` });
  }
}
