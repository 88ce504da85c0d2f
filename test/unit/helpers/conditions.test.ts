import { describe, expect, it } from 'vitest';
import {
  findCondition,
  isConditionFalse,
  isConditionTrue,
  removeCondition,
  setCondition,
  type Condition,
} from '../../../runtime/src/helpers/conditions.js';
import { HelperError } from '../../../runtime/src/helpers/errors.js';
import { deepFreeze } from '../../../runtime/src/cache/transform.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

const T0 = Date.UTC(2026, 4, 6, 7, 8, 9, 999);

describe('conditions (metav1.Condition semantics)', () => {
  it('appends a new condition with lastTransitionTime = now, in metav1.Time format (seconds precision)', () => {
    const clock = new FakeClock({ start: T0 });
    const conditions: Condition[] = [];
    expect(setCondition(conditions, { type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating', observedGeneration: 1 }, clock)).toBe(true);
    expect(conditions).toEqual([
      { type: 'Ready', status: 'False', observedGeneration: 1, lastTransitionTime: '2026-05-06T07:08:09Z', reason: 'Provisioning', message: 'creating' },
    ]);
  });

  it('changes lastTransitionTime only when the status changes', async () => {
    const clock = new FakeClock({ start: T0 });
    const conditions: Condition[] = [];
    setCondition(conditions, { type: 'Ready', status: 'False', reason: 'Provisioning' }, clock);
    await clock.advance(60_000);
    expect(setCondition(conditions, { type: 'Ready', status: 'False', reason: 'StillProvisioning', message: 'half way', observedGeneration: 2 }, clock)).toBe(true);
    expect(findCondition(conditions, 'Ready')).toMatchObject({ lastTransitionTime: '2026-05-06T07:08:09Z', reason: 'StillProvisioning', message: 'half way', observedGeneration: 2 });
    await clock.advance(60_000);
    expect(setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Available', observedGeneration: 2 }, clock)).toBe(true);
    expect(findCondition(conditions, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2026-05-06T07:10:09Z', message: '' });
  });

  it('reports no change when nothing differs, and keeps the order of other conditions', async () => {
    const clock = new FakeClock({ start: T0 });
    const conditions: Condition[] = [];
    setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Available' }, clock);
    setCondition(conditions, { type: 'example.com/Degraded', status: 'False', reason: 'AsExpected' }, clock);
    await clock.advance(5_000);
    expect(setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Available' }, clock)).toBe(false);
    expect(conditions.map((c) => c.type)).toEqual(['Ready', 'example.com/Degraded']);
    expect(conditions[0]?.lastTransitionTime).toBe('2026-05-06T07:08:09Z');
  });

  it('honours an explicit lastTransitionTime', () => {
    const conditions: Condition[] = [];
    setCondition(conditions, { type: 'Ready', status: 'True', reason: 'X', lastTransitionTime: '2020-01-01T00:00:00Z' }, new FakeClock({ start: T0 }));
    expect(conditions[0]?.lastTransitionTime).toBe('2020-01-01T00:00:00Z');
  });

  it('answers isConditionTrue / isConditionFalse / findCondition, and removes conditions', () => {
    const clock = new FakeClock({ start: T0 });
    const conditions: Condition[] = [];
    setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Available' }, clock);
    setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'Waiting' }, clock);
    expect(isConditionTrue(conditions, 'Ready')).toBe(true);
    expect(isConditionFalse(conditions, 'Ready')).toBe(false);
    expect(isConditionTrue(conditions, 'Progressing')).toBe(false);
    expect(isConditionFalse(conditions, 'Progressing')).toBe(false);
    expect(isConditionTrue(undefined, 'Ready')).toBe(false);
    expect(findCondition(conditions, 'Missing')).toBeUndefined();
    expect(removeCondition(conditions, 'Ready')).toBe(true);
    expect(removeCondition(conditions, 'Ready')).toBe(false);
    expect(conditions.map((c) => c.type)).toEqual(['Progressing']);
  });

  it('refuses frozen conditions (the cache\'s shared object) with a FrozenObject error, changing nothing', () => {
    const conditions = deepFreeze<Condition[]>([{ type: 'Ready', status: 'False', reason: 'Init', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    expect(() => setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Done' })).toThrow(
      "setCondition: the conditions array is frozen — it is the cache's shared object (read with unsafeDisableDeepCopy); pass a copy: deepCopy(object)",
    );
    expect(() => removeCondition(conditions, 'Ready')).toThrow(HelperError);
    const copy = [...conditions];
    expect(() => setCondition(copy, { type: 'Ready', status: 'True', reason: 'Done' })).toThrow('setCondition: condition Ready is frozen');
    expect(conditions[0]?.status).toBe('False');
  });

  it('rejects what the API server would reject, before mutating', () => {
    const conditions: Condition[] = [];
    expect(() => setCondition(conditions, { type: 'Ready', status: 'True', reason: 'not valid!' })).toThrow(HelperError);
    expect(() => setCondition(conditions, { type: 'Ready', status: 'Yes' as never, reason: 'Ok' })).toThrow(/status/);
    expect(() => setCondition(conditions, { type: 'bad type', status: 'True', reason: 'Ok' })).toThrow(/type/);
    expect(() => setCondition(conditions, { type: 'Ready', status: 'True', reason: '' })).toThrow(/reason/);
    expect(conditions).toEqual([]);
  });
});
