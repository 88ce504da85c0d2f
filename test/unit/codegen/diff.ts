import { isJsonObject, jsonEqual, type JsonValue } from '../../../codegen/shared/json.js';

/** A readable description of the first place two JSON values differ, or undefined when equal. */
export function firstDifference(a: JsonValue | undefined, b: JsonValue | undefined, path = '$'): string | undefined {
  if (a === undefined || b === undefined) return a === b ? undefined : `${path}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
  if (jsonEqual(a, b)) return undefined;
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i += 1) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  }
  return `${path}: ${JSON.stringify(a).slice(0, 200)} ≠ ${JSON.stringify(b).slice(0, 200)}`;
}
