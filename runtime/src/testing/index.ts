/**
 * `@opkit/runtime/testing`: a real control plane for tests, and a fake clock for unit tests.
 * @packageDocumentation
 */
export { TestEnvironment, type TestEnvironmentOptions, type StartedEnvironment } from './environment.js';
export { TestEnvironmentError, type TestEnvironmentReason } from './errors.js';
export type { WebhookInstallOptions, WebhookServing, InstallWebhooksOptions, WebhookSource } from './webhooks.js';
export { type Identity, type IdentityRequest, type ServiceAccountRef } from './identity.js';
export { issueOperatorIdentity, type OperatorIdentityOptions } from './operator-identity.js';
export { type ControllerName } from './controller-manager.js';
export {
  resolveBinaries,
  defaultCacheDir,
  cachedApiserverPath,
  cachedEtcdPath,
  cachedControllerManagerPath,
  resolveControllerManager,
  INSTALL_HINT,
  type AssetOptions,
  type ControlPlaneBinaries,
} from './assets.js';
export { installBinaries, type InstallOptions, type InstallResult } from './install.js';
export { loadCrds, type CrdDocument, type CrdObject } from './crds.js';
export { DEFAULT_KUBERNETES_VERSION, DEFAULT_ETCD_VERSION } from './versions.js';
export { FakeClock, flushMicrotasks } from '../util/fake-clock.js';
export { eventually, EventuallyTimeoutError, type EventuallyOptions, type AttemptInfo } from './eventually.js';
export { runEnvtestCli } from './cli-main.js';
