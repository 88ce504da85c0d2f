import { AsyncResource } from 'node:async_hooks';
import type { ClientHttp2Session, ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from 'node:http2';

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => unknown;

/**
 * `AsyncResource.prototype.bind` as Node defines it, without the deprecated (DEP0172)
 * `asyncResource` accessor on the bound function: the bound function runs `fn` in the resource's
 * async scope, with `thisArg` or, when it is undefined, the `this` it is called with.
 */
function bindWithoutAccessor(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown): unknown {
  if (thisArg !== undefined) return this.runInAsyncScope.bind(this, fn, thisArg);
  const run = this.runInAsyncScope.bind(this, fn);
  return function (this: unknown, ...args: unknown[]): unknown {
    return run(this, ...args);
  };
}

/**
 * Whether this Node's `AsyncResource.prototype.bind` defines the deprecated `asyncResource`
 * accessor (Node 20 and 24 do: two `util.deprecate` wrappers, each with a fresh function made the
 * prototype of another, about 12 µs on Node 20 and 4 µs on Node 24 per call).
 */
export function bindDefinesAccessor(): boolean {
  const bound = new AsyncResource('opkit-feature-check').bind(() => undefined);
  const accessor = Object.getOwnPropertyDescriptor(bound, 'asyncResource');
  return accessor?.get !== undefined && AsyncResource.prototype.bind.length === 2;
}

/**
 * Opens an HTTP/2 stream: `session.request(headers, options)`. Node's `ClientHttp2Session.request`
 * makes an `AsyncResource('PendingRequest')` and binds the stream's start to it on every call, and
 * that `bind` defines the deprecated `asyncResource` accessor (see {@link bindDefinesAccessor}): in
 * an operator that is one of the largest single costs of a request. With `lean` set, this
 * replaces `AsyncResource.prototype.bind` by the same bind without the accessor for the duration
 * of the synchronous `session.request` call only, and restores it before returning (also when it
 * throws).
 *
 * Guarantees: the stream starts in the same async scope as with Node's bind (async context and
 * `AsyncLocalStorage` are kept); no code but what `session.request` runs synchronously (Node's own,
 * and async_hooks `init` callbacks) ever sees the replacement.
 * Caveats: a bound function made by an async_hooks `init` callback during that call lacks the
 * deprecated `asyncResource` property.
 */
export function openStream(session: ClientHttp2Session, headers: OutgoingHttpHeaders, options: ClientSessionRequestOptions, lean: boolean): ClientHttp2Stream {
  if (!lean) return session.request(headers, options);
  const proto = AsyncResource.prototype as unknown as { bind: Bind };
  const original = proto.bind;
  proto.bind = bindWithoutAccessor;
  try {
    return session.request(headers, options);
  } finally {
    proto.bind = original;
  }
}
