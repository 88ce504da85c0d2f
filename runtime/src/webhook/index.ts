/**
 * `@opkit/runtime/webhook`: the webhook server (HTTPS; AdmissionReview v1 and ConversionReview v1;
 * certificates reloaded from a directory) and the admission builder. A Manager creates the server
 * from its `webhook` options (`mgr.webhookServer`); every replica serves.
 * @packageDocumentation
 */
export { WebhookServer, type WebhookServerOptions, type WebhookHandler, type WebhookRequestContext, type WebhookDescription, type WebhookRule, type RegisterOptions } from './server.js';
export { CertWatcher, type CertWatcherOptions, type ServingCertificate } from './certwatcher.js';
export { WebhookError, type WebhookErrorReason } from './errors.js';
export { prometheusWebhookMetrics, noWebhookMetrics, WEBHOOK_LATENCY_BUCKETS, type WebhookMetrics } from './metrics.js';
export {
  parseReview,
  MalformedReviewError,
  type AdmissionReview,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionOperation,
  type ConversionReview,
  type ConversionRequest,
  type ConversionResponse,
  type IncomingReview,
  type ReviewAnswer,
  type GroupVersionKind,
  type GroupVersionResource,
  type UserInfo,
  type Status,
  type StatusCause,
} from './review.js';
export { admissionFor, AdmissionBuilder, mutatingPath, validatingPath, type AdmissionWebhooks, type WebhookHost } from './admission/builder.js';
export { defaultingHandler, validatingHandler, type AdmissionContext, type Defaulter, type Validator, type Warnings } from './admission/handlers.js';
export { AdmissionDenied, type AdmissionDeniedOptions, type DenialCause } from './admission/denial.js';
export { createJsonPatch, applyJsonPatch, escapePointer, type JsonPatchOperation } from './admission/json-patch.js';
export {
  conversionFor,
  conversionWebhookOf,
  defineConversion,
  Conversion,
  ConversionWebhook,
  ConversionError,
  CONVERSION_PATH,
  CONVERSION_DATA_PREFIX,
  conversionDataAnnotation,
  decodeConversionData,
  encodeConversionData,
  lostFields,
  restoreFields,
  type ConversionBuilder,
  type ConversionForOptions,
  type ConversionOptions,
  type ConversionErrorReason,
  type ConversionReviewResponse,
  type ConversionWebhookOptions,
  type LostField,
  type PathSegment,
  type SpokeConverter,
} from './conversion/index.js';
