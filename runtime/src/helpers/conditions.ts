import { realClock, type Clock } from '../util/clock.js';
import { formatTime } from '../util/time-format.js';
import { assertMutable, HelperError } from './errors.js';

/** A condition's status. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** `metav1.Condition` as it travels in JSON (times as RFC 3339 strings). */
export interface Condition {
  /** CamelCase or `foo.example.com/CamelCase`, e.g. `Ready`. */
  type: string;
  status: ConditionStatus;
  /** The `.metadata.generation` the condition was set for. */
  observedGeneration?: number;
  /** When `status` last changed (`metav1.Time`, seconds precision). */
  lastTransitionTime: string;
  /** CamelCase, machine-readable: `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`. */
  reason: string;
  /** Human-readable details (may be empty). */
  message: string;
}

/** What {@link setCondition} takes: a condition without (or with an explicit) transition time. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message?: string;
  readonly observedGeneration?: number;
  /** Use this transition time instead of the clock's (when the status changes or the condition is new). */
  readonly lastTransitionTime?: string;
}

const TYPE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

function validate(c: ConditionInput): void {
  const bad = (message: string): never => {
    throw new HelperError({ reason: 'InvalidCondition', message: `condition ${JSON.stringify(c.type)}: ${message}` });
  };
  if (c.type.length > 316 || !TYPE.test(c.type)) bad('type must be CamelCase or prefix/CamelCase (≤ 316 characters)');
  if (c.status !== 'True' && c.status !== 'False' && c.status !== 'Unknown') bad(`status must be True, False or Unknown, got ${JSON.stringify(c.status)}`);
  if (c.reason.length > 1024 || !REASON.test(c.reason)) bad(`reason must match ${REASON.source} (≤ 1024 characters), got ${JSON.stringify(c.reason)}`);
  if ((c.message ?? '').length > 32768) bad('message must be at most 32768 characters');
  if (c.observedGeneration !== undefined && !(Number.isInteger(c.observedGeneration) && c.observedGeneration >= 0)) bad('observedGeneration must be an integer ≥ 0');
}

/**
 * Sets a condition in place with `meta.SetStatusCondition` semantics: a new type is appended with
 * `lastTransitionTime` = now; an existing one has its status, reason, message and
 * observedGeneration updated, and `lastTransitionTime` changes **only when the status changes**.
 *
 * Guarantees: returns whether anything changed (so you can skip a no-op status write); the array
 * keeps its order; validates the input like the API server would, before mutating.
 * @throws {HelperError} `InvalidCondition` for a bad type, status or reason; `FrozenObject` when
 * the array or the condition is frozen (nothing is changed then).
 */
export function setCondition(conditions: Condition[], input: ConditionInput, clock: Clock = realClock): boolean {
  validate(input);
  assertMutable(conditions, 'the conditions array', 'setCondition');
  const message = input.message ?? '';
  const existing = conditions.find((c) => c.type === input.type);
  assertMutable(existing, `condition ${input.type}`, 'setCondition');
  if (existing === undefined) {
    conditions.push({
      type: input.type,
      status: input.status,
      ...(input.observedGeneration === undefined ? {} : { observedGeneration: input.observedGeneration }),
      lastTransitionTime: input.lastTransitionTime ?? formatTime(clock.now()),
      reason: input.reason,
      message,
    });
    return true;
  }
  let changed = false;
  if (existing.status !== input.status) {
    existing.status = input.status;
    existing.lastTransitionTime = input.lastTransitionTime ?? formatTime(clock.now());
    changed = true;
  }
  if (existing.reason !== input.reason) {
    existing.reason = input.reason;
    changed = true;
  }
  if (existing.message !== message) {
    existing.message = message;
    changed = true;
  }
  if (input.observedGeneration !== undefined && existing.observedGeneration !== input.observedGeneration) {
    existing.observedGeneration = input.observedGeneration;
    changed = true;
  }
  return changed;
}

/**
 * Removes the condition of `type` in place; returns whether one was removed.
 * @throws {HelperError} `FrozenObject` when the array is frozen and has the condition.
 */
export function removeCondition(conditions: Condition[], type: string): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i < 0) return false;
  assertMutable(conditions, 'the conditions array', 'removeCondition');
  conditions.splice(i, 1);
  return true;
}

/** The condition of `type`, if any. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of `type` exists with status `True`. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Whether the condition of `type` exists with status `False`. */
export function isConditionFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'False';
}
