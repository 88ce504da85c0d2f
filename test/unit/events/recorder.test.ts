import { describe, expect, it } from 'vitest';
import type { Event } from '../../../runtime/src/api/builtins.js';
import { EventBroadcaster } from '../../../runtime/src/events/recorder.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { MemoryClient } from '../../support/memory-client.js';

const T0 = Date.UTC(2026, 2, 3, 4, 5, 6, 7);
const widget = { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'w1', uid: 'u1', resourceVersion: '42' } };

function setup(options: { seriesFinishMs?: number; seriesRefreshMs?: number } = {}) {
  const clock = new FakeClock({ start: T0 });
  const client = new MemoryClient();
  const broadcaster = new EventBroadcaster({ client, clock, instance: 'pod-1', ...options });
  const stop = new AbortController();
  const running = broadcaster.start(stop.signal);
  const events = (): Event[] => [...client.objects.values()].filter((o) => o.kind === 'Event') as Event[];
  const writes = () => client.calls.filter((c) => c.kind === 'Event' && c.verb !== 'get');
  return { clock, client, broadcaster, recorder: broadcaster.recorder('widget-controller'), stop, running, events, writes };
}

describe('EventBroadcaster (events.k8s.io/v1, client-go aggregation)', () => {
  it('creates one Event per first occurrence with the events.k8s.io/v1 fields', async () => {
    const { recorder, broadcaster, events } = setup();
    recorder.event(widget, 'Normal', 'Created', 'Reconcile', 'created the config map');
    await broadcaster.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]).toMatchObject({
      metadata: { namespace: 'ns', name: `w1.${(BigInt(T0) * 1_000_000n).toString(16)}` },
      eventTime: '2026-03-03T04:05:06.007000Z',
      reportingController: 'widget-controller',
      reportingInstance: 'widget-controller-pod-1',
      action: 'Reconcile',
      reason: 'Created',
      note: 'created the config map',
      type: 'Normal',
      regarding: { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', namespace: 'ns', name: 'w1', uid: 'u1', resourceVersion: '42' },
    });
    expect(events()[0]?.series).toBeUndefined();
  });

  it('aggregates identical events into one Event with a series: count and lastObservedTime', async () => {
    const { recorder, broadcaster, clock, events, writes } = setup();
    recorder.event(widget, 'Warning', 'Failed', 'Reconcile', 'backend down');
    await broadcaster.flush();
    await clock.advance(1_000);
    recorder.event({ ...widget, metadata: { ...widget.metadata, resourceVersion: '43' } }, 'Warning', 'Failed', 'Reconcile', 'backend down');
    await broadcaster.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]?.series).toEqual({ count: 2, lastObservedTime: '2026-03-03T04:05:07.007000Z' });
    const writesAfterSecond = writes().length;
    for (let i = 0; i < 8; i++) {
      await clock.advance(1_000);
      recorder.event(widget, 'Warning', 'Failed', 'Reconcile', 'backend down');
    }
    expect(writes().length).toBe(writesAfterSecond);
    await broadcaster.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]?.series).toEqual({ count: 10, lastObservedTime: '2026-03-03T04:05:15.007000Z' });
    expect(writes().map((c) => c.verb)).toEqual(['create', 'patch', 'patch']);
  });

  it('keeps events apart when the type, reason, action, note, controller or object differ', async () => {
    const { broadcaster, recorder, events } = setup();
    const other = broadcaster.recorder('other-controller');
    recorder.event(widget, 'Normal', 'R', 'A', 'n');
    recorder.event(widget, 'Warning', 'R', 'A', 'n');
    recorder.event(widget, 'Normal', 'R2', 'A', 'n');
    recorder.event(widget, 'Normal', 'R', 'A2', 'n');
    recorder.event(widget, 'Normal', 'R', 'A', 'n2');
    other.event(widget, 'Normal', 'R', 'A', 'n');
    recorder.event({ ...widget, metadata: { ...widget.metadata, name: 'w2', uid: 'u2' } }, 'Normal', 'R', 'A', 'n');
    await broadcaster.flush();
    expect(events()).toHaveLength(7);
    expect(new Set(events().map((e) => e.metadata?.name)).size).toBe(7);
  });

  it('writes ongoing series every refresh period, finishes a quiet series, and starts a new Event afterwards', async () => {
    const { recorder, broadcaster, clock, events, writes } = setup({ seriesRefreshMs: 10_000, seriesFinishMs: 30_000 });
    for (let i = 0; i < 3; i++) recorder.event(widget, 'Normal', 'Synced', 'Reconcile', '');
    await broadcaster.flush();
    expect(events()[0]?.series?.count).toBe(3);
    recorder.event(widget, 'Normal', 'Synced', 'Reconcile', '');
    await clock.advance(10_000);
    await broadcaster.flush();
    expect(events()[0]?.series?.count).toBe(4);
    await clock.advance(60_000);
    const quiet = writes().length;
    recorder.event(widget, 'Normal', 'Synced', 'Reconcile', '');
    await broadcaster.flush();
    expect(writes().length).toBe(quiet + 1);
    expect(events()).toHaveLength(2);
  });

  it('re-creates a series whose Event was deleted on the server', async () => {
    const { recorder, broadcaster, client, events } = setup();
    recorder.event(widget, 'Normal', 'R', 'A', 'n');
    await broadcaster.flush();
    for (const [k, v] of client.objects) if (v.kind === 'Event') client.objects.delete(k);
    recorder.event(widget, 'Normal', 'R', 'A', 'n');
    await broadcaster.flush();
    expect(events()).toHaveLength(1);
    expect(events()[0]?.series?.count).toBe(2);
  });

  it('puts events about cluster-scoped objects in default, drops objects without a kind, and never throws on write errors', async () => {
    const { recorder, broadcaster, client, events } = setup();
    recorder.event({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'n1' } }, 'Normal', 'R', 'A');
    recorder.event({ metadata: { name: 'no-kind' } }, 'Normal', 'R', 'A');
    await broadcaster.flush();
    expect(events().map((e) => e.metadata?.namespace)).toEqual(['default']);
    client.fail = () => {
      throw new Error('API down');
    };
    expect(() => recorder.event(widget, 'Normal', 'R', 'A')).not.toThrow();
    await broadcaster.flush();
  });

  it('on stop writes the pending series counts', async () => {
    const { recorder, stop, running, events } = setup();
    for (let i = 0; i < 5; i++) recorder.event(widget, 'Normal', 'R', 'A');
    stop.abort();
    await running;
    expect(events()[0]?.series?.count).toBe(5);
  });
});
