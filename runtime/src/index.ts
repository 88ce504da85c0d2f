/**
 * `@opkit/runtime`: controller-runtime for Node.js.
 * @packageDocumentation
 */
export { OpkitError, describeError } from './errors/opkit-error.js';
export { realClock, sleep, type Clock, type Timer } from './util/clock.js';
export { type KubeObject, type Resource, type ObjectOf, apiVersionOf, gvkString } from './api/resource.js';
