/**
 * Self-managed webhook certificates: {@link WebhookCertManager} and the pieces it is made of
 * (the renewal schedule, the CA bundle injection), for operators that run without cert-manager.
 * @module
 */
export { WebhookCertManager, type WebhookCertManagerOptions, type CertSyncResult } from './manager.js';
export { CertManagerError, type CertManagerErrorReason } from './errors.js';
export { nextStep, renewalTime, type RenewalPolicy, type RenewalStep } from './plan.js';
export { injectCaBundle, type CaBundleTargets, type InjectResult } from './inject.js';
export { readCertState, SECRET_KEYS, type CertState, type CertTexts, type ParsedCert } from './state.js';
