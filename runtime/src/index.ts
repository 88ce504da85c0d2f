/**
 * `@opkit/runtime`: controller-runtime for Node.js.
 * @packageDocumentation
 */
export { OpkitError, describeError } from './errors/opkit-error.js';
export { realClock, sleep, type Clock, type Timer } from './util/clock.js';
export { type KubeObject, type Resource, type ObjectOf, apiVersionOf, gvkString } from './api/resource.js';
export {
  ConfigMap,
  Secret,
  Service,
  Pod,
  Namespace,
  Node,
  ServiceAccount,
  PersistentVolumeClaim,
  CoreEvent,
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
  Ingress,
  Lease,
  Event,
  Role,
  RoleBinding,
  ClusterRole,
  ClusterRoleBinding,
  CustomResourceDefinition,
} from './api/builtins.js';
export {
  createClient,
  selectorString,
  type Client,
  type Reader,
  type Writer,
  type StatusWriter,
  type ObjectKey,
  type ObjectList,
  type ListOptions,
  type PatchType,
  type JsonPatchOperation,
  type WriteOptions,
  type ApplyOptions,
  type DeleteOptions,
} from './client/client.js';
export { createTransport, type Transport, type TransportRequest, type TransportOptions, type Query } from './client/transport.js';
export { ApiError, isNotFound, isConflict, isAlreadyExists, isGone, type StatusBody } from './client/errors.js';
export { resourcePath } from './client/paths.js';
