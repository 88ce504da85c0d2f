/**
 * Conditions with metav1.Condition semantics: one condition per type, and `lastTransitionTime`
 * changes only when the status changes.
 */

/** A metav1.Condition, as the CRD's status schema defines it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * Returns `conditions` with `condition` set: added when its type is new, otherwise updated in place,
 * keeping the previous `lastTransitionTime` unless the status changed (then it is `now`).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  condition: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === condition.type);
  const previous = index < 0 ? undefined : list[index];
  const lastTransitionTime =
    previous !== undefined && previous.status === condition.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next: Condition = { ...condition, lastTransitionTime };
  if (index < 0) list.push(next);
  else list[index] = next;
  return list;
}

/** The condition of a type, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of `type` is `True` (and, when given, observed at `generation`). */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string, generation?: number): boolean {
  const condition = findCondition(conditions, type);
  return condition?.status === 'True' && (generation === undefined || condition.observedGeneration === generation);
}
