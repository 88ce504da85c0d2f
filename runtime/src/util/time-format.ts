/**
 * Kubernetes time formats. `metav1.Time` is RFC 3339 with seconds precision
 * (`2006-01-02T15:04:05Z`); `metav1.MicroTime` has six fractional digits
 * (`2006-01-02T15:04:05.000000Z`). Both are always written in UTC.
 */

/** Formats epoch milliseconds as a `metav1.MicroTime` string: `2006-01-02T15:04:05.000000Z`. */
export function formatMicroTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  return `${iso.slice(0, 23)}000Z`;
}

/** Formats epoch milliseconds as a `metav1.Time` string (seconds precision): `2006-01-02T15:04:05Z`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Parses an RFC 3339 time (`metav1.Time` or `metav1.MicroTime`) to epoch milliseconds.
 * Guarantees: sub-millisecond digits are truncated; `undefined` for a missing or unparseable value.
 */
export function parseTime(value: string | Date | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
