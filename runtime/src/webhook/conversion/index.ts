/**
 * Conversion between the versions of a custom resource: hub and spokes, the lossless annotation
 * layer, the ConversionReview handler and `conversionFor(mgr, …)`.
 * @module
 */
export { Conversion, defineConversion, describeObject, type ConversionOptions, type SpokeConverter } from './conversion.js';
export { conversionFor, conversionWebhookOf, type ConversionBuilder, type ConversionForOptions } from './builder.js';
export { ConversionWebhook, CONVERSION_PATH, parseConversionReview, type ConversionWebhookOptions, type ConversionReviewResponse } from './review.js';
export { ConversionError, type ConversionErrorReason } from './errors.js';
export {
  CONVERSION_DATA_PREFIX,
  conversionDataAnnotation,
  isConversionDataAnnotation,
  lostFields,
  restoreFields,
  encodeConversionData,
  decodeConversionData,
  type LostField,
  type PathSegment,
  type JsonValue,
  type JsonObject,
} from './lossless.js';
