/**
 * `@opkit/runtime/client`: the typed client and its HTTPS transport as building blocks — making a
 * client without a Manager, the reader/writer interfaces, patch and request options, API errors
 * and server health. Operators usually take `mgr.client` (the root entry's `Client`).
 * @packageDocumentation
 */
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
  type GetOptions,
  type PatchType,
  type PatchFor,
  type PatchOptions,
  type MergePatch,
  type StrategicMergePatch,
  type DeepPartial,
  type ApplyConfiguration,
  type JsonPatchOperation,
  type WriteOptions,
  type ApplyOptions,
  type DeleteOptions,
} from './client.js';
export { createTransport, type Transport, type TransportRequest, type TransportOptions, type TransportProtocol, type Query, type StreamSink, type StreamFlow } from './transport.js';
export type { RestConfig, TlsConfig, CredentialSource } from './rest-config.js';
export { loadKubeConfig, type LoadKubeConfigOptions } from './kubeconfig/load.js';
export { KubeConfigError, type KubeConfigErrorReason } from './kubeconfig/errors.js';
export { restConfigFromClientNode } from './kubeconfig/from-client-node.js';
export { ConnectionLostError } from './http2.js';
export {
  ApiError,
  isNotFound,
  isConflict,
  isAlreadyExists,
  isGone,
  isUnreachable,
  retryAfterOf,
  type ApiErrorOptions,
  type StatusBody,
  type ResponseHeaders,
  type PriorityAndFairness,
} from './errors.js';
export { ServerHealth, type ServerHealthState, type ServerHealthOptions } from './health.js';
export { parseRetryAfter } from './retry-after.js';
export { type TransportMetrics } from './metrics.js';
export { resourcePath } from './paths.js';
export { missingRule, describeMissingRule, type MissingRule } from './forbidden.js';
export { cachedClient, type CachedClientOptions } from '../manager/client.js';
export { fencedClient } from '../leader/fence.js';
export { deepCopy } from '../util/deep-copy.js';
