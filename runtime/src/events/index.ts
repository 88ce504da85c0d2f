/**
 * `@opkit/runtime/events`: the events.k8s.io/v1 broadcaster behind `ctx.recorder`, and the
 * Kubernetes time formats.
 * @packageDocumentation
 */
export { EventBroadcaster, type EventRecorder, type EventBroadcasterOptions, type EventType, type EventReference } from './recorder.js';
export { formatMicroTime, formatTime, parseTime } from '../util/time-format.js';
