/**
 * A deep copy of JSON-shaped data (what the API server sends): plain objects, arrays and
 * primitives are copied by hand, about six times faster than `structuredClone` on a typical
 * Kubernetes object; a `Date` is copied as a `Date`, and any other object (a class instance a
 * custom cache transform added) goes through `structuredClone`.
 *
 * Guarantees: the copy shares no object with `value`, and is not frozen even when `value` is; a
 * `__proto__` key stays an own data property.
 * Caveats: own enumerable string keys only (symbols and getters are not copied); no cycles.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  return (prototypeIsClean() ? copy(value) : copyOwnKeys(value)) as T;
}

/**
 * Whether `Object.prototype` has no enumerable property (nothing polluted it). Then `for…in` over
 * a plain object visits exactly its own enumerable keys, in `Object.keys` order, without the
 * array `Object.keys` allocates — the fast path, about a third faster on a ConfigMap.
 */
function prototypeIsClean(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

/** The fast path: `for…in`, valid while {@link prototypeIsClean}. */
function copy(value: object): unknown {
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const child: unknown = value[i];
      out[i] = typeof child !== 'object' || child === null ? child : copy(child);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return copyInstance(value);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const child: unknown = (value as Record<string, unknown>)[key];
    const copied = typeof child !== 'object' || child === null ? child : copy(child);
    if (key === '__proto__') defineData(out, key, copied);
    else out[key] = copied;
  }
  return out;
}

/** The general path: own keys by `Object.keys` (also when `Object.prototype` has enumerable keys). */
function copyOwnKeys(value: object): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      out[i] = typeof child !== 'object' || child === null ? child : copyOwnKeys(child);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return copyInstance(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child: unknown = (value as Record<string, unknown>)[key];
    const copied = typeof child !== 'object' || child === null ? child : copyOwnKeys(child);
    if (key === '__proto__') defineData(out, key, copied);
    else out[key] = copied;
  }
  return out;
}

function copyInstance(value: object): unknown {
  return value instanceof Date ? new Date(value.getTime()) : structuredClone(value);
}

/** A `__proto__` key (valid in a ConfigMap's data) must stay data, not become the prototype. */
function defineData(out: Record<string, unknown>, key: string, child: unknown): void {
  Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
}
