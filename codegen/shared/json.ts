import { createHash } from 'node:crypto';

/** A value that JSON (and the YAML subset CRDs use) can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. Schema nodes, CRDs and marker values are all of this shape. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts a parsed value into JSON data, or returns `undefined` if it holds something JSON cannot
 * (functions, bigints, dates, non-finite numbers). Keys holding `undefined` are dropped.
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value) {
      const converted = toJsonValue(item);
      if (converted === undefined) return undefined;
      items.push(converted);
    }
    return items;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const converted = toJsonValue(item);
      if (converted === undefined) return undefined;
      result[key] = converted;
    }
    return result;
  }
  return undefined;
}

/** JSON text with object keys sorted at every level: equal data gives equal text. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Deep equality of JSON data; object key order is ignored, array order is not. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i] as JsonValue));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => key in b && jsonEqual(a[key] as JsonValue, b[key] as JsonValue));
  }
  return false;
}

/**
 * `sha256:<hex>` of `canonicalJson(value)`, computed fast (see {@link canonicalText}).
 */
export function canonicalHash(value: JsonValue): string {
  return sha256(canonicalText(value));
}

/**
 * `canonicalJson(value)`, computed fast: by the native `JSON.stringify` over a view of `value` in
 * which only the objects whose keys are out of order are replaced by key-sorted copies (parsed
 * CRDs are mostly in order already: controller-gen writes sorted keys). When an object has an
 * array-index-like key (JavaScript orders those numerically, not as sorted strings) or a
 * `__proto__` key, by `canonicalJson` itself. Equal to `canonicalJson(value)` either way.
 */
export function canonicalText(value: JsonValue): string {
  const view = sortedView(value);
  return view === SLOW_PATH ? canonicalJson(value) : JSON.stringify(view);
}

/** Returned by {@link sortedView} when an object has a key a plain object cannot hold in sorted order (index-like, `__proto__`). */
const SLOW_PATH: unique symbol = Symbol('slow path');

function needsSlowPath(key: string): boolean {
  const first = key.charCodeAt(0);
  return (first >= 48 && first <= 57 && /^(?:0|[1-9]\d*)$/.test(key)) || key === '__proto__';
}

/** `node` itself when every object in it has sorted keys, else a copy sharing the sorted parts. */
function sortedView(node: JsonValue): JsonValue | typeof SLOW_PATH {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    let copy: JsonValue[] | undefined;
    for (let i = 0; i < node.length; i += 1) {
      const item = node[i] as JsonValue;
      if (typeof item !== 'object' || item === null) continue;
      const view = sortedView(item);
      if (view === SLOW_PATH) return SLOW_PATH;
      if (view !== item) (copy ??= node.slice())[i] = view;
    }
    return copy ?? node;
  }
  // one pass without allocating: is every key in order and every child its own view?
  let previous: string | undefined;
  let inOrder = true;
  let changed: Map<string, JsonValue> | undefined;
  for (const key in node) {
    if (needsSlowPath(key)) return SLOW_PATH;
    if (previous !== undefined && !(previous < key)) inOrder = false;
    previous = key;
    const child = node[key] as JsonValue;
    if (typeof child !== 'object' || child === null) continue;
    const view = sortedView(child);
    if (view === SLOW_PATH) return SLOW_PATH;
    if (view !== child) (changed ??= new Map()).set(key, view);
  }
  if (inOrder && changed === undefined) return node;
  const keys = Object.keys(node);
  if (!inOrder) keys.sort();
  const copy: JsonObject = {};
  for (const key of keys) copy[key] = changed?.get(key) ?? (node[key] as JsonValue);
  return copy;
}

/** `sha256:<hex>` of a text. */
export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** A copy of `object` with its keys sorted (one level). */
export function sortKeys(object: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const key of Object.keys(object).sort()) result[key] = object[key] as JsonValue;
  return result;
}
