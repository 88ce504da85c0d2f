/**
 * A deep copy of JSON-shaped data (what the API server sends): plain objects, arrays and
 * primitives are copied by hand, about six times faster than `structuredClone` on a typical
 * Kubernetes object; a `Date` is copied as a `Date`, and any other object (a class instance a
 * custom cache transform added) goes through `structuredClone`.
 *
 * Guarantees: the copy shares no object with `value`, and is not frozen even when `value` is.
 * Caveats: own enumerable string keys only (symbols and getters are not copied); no cycles.
 */
export function deepCopy<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i]);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value instanceof Date ? new Date(value.getTime()) : structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = copy((value as Record<string, unknown>)[key]);
    // A `__proto__` key (valid in a ConfigMap's data) must stay data, not become the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
    else out[key] = child;
  }
  return out;
}
