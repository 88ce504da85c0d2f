import type { LogFields } from './logger.js';

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/** Keys whose values are redacted in Kubernetes objects (Secret payloads; ConfigMaps alike, to be safe). */
const PAYLOAD_KEYS = ['data', 'stringData', 'binaryData'] as const;
const MAX_DEPTH = 10;

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Error) && !(v instanceof Date);

/** A Kubernetes object logged whole: it has `metadata` and a `kind` or `apiVersion`, or is a Secret. */
function isKubeObject(v: Plain): boolean {
  return v['kind'] === 'Secret' || (isPlain(v['metadata']) && (typeof v['kind'] === 'string' || typeof v['apiVersion'] === 'string'));
}

function redactPayload(payload: unknown): unknown {
  if (!isPlain(payload)) return payload === undefined || payload === null ? payload : REDACTED;
  const out: Plain = {};
  for (const key of Object.keys(payload)) out[key] = REDACTED;
  return out;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || value instanceof Date || value instanceof Error) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = walk(item, depth + 1, seen);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  const obj = value as Plain;
  let copy: Plain | undefined;
  const kube = isKubeObject(obj);
  for (const key of Object.keys(obj)) {
    const item = obj[key];
    const next = kube && (PAYLOAD_KEYS as readonly string[]).includes(key) ? redactPayload(item) : walk(item, depth + 1, seen);
    if (next !== item) (copy ??= { ...obj })[key] = next;
  }
  return copy ?? obj;
}

/**
 * Returns `fields` with the payload of every Kubernetes object in them redacted: the values (not
 * the keys) of `data`, `stringData` and `binaryData` of any object that has `metadata` and a
 * `kind`/`apiVersion` (a Secret, a ConfigMap, a List's items…), at any depth up to 10.
 *
 * Guarantees: never mutates its input (copies only along redacted paths; returns `fields` itself
 * when there is nothing to redact); handles cycles; cheap for flat fields (one type check each).
 * Caveats: Secret values inside free-form strings (an error message quoting a body) are not found.
 */
export function redactFields(fields: LogFields): LogFields {
  return walk(fields, 0, new WeakSet()) as LogFields;
}
