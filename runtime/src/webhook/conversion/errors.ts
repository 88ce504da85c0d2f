import { OpkitError } from '../../errors/opkit-error.js';

/**
 * Why a conversion failed:
 * - `InvalidDefinition`: the conversion is declared wrongly (a spoke of another group or kind, a
 *   version declared twice, the hub as a spoke, a kind registered twice on one webhook);
 * - `UnknownKind`: an object of a group and kind no registered conversion handles;
 * - `UnknownVersion`: an object at, or a desired version of, a version the conversion has no
 *   converter for;
 * - `ConverterFailed`: a `toHub`/`fromHub` threw or rejected (`cause` is what it threw);
 * - `NotJson`: a converter returned something JSON cannot hold (a cycle, a BigInt);
 * - `InvalidObject`: an object in the review is not an object with apiVersion and kind;
 * - `InvalidConversionData`: a `conversion.opkit.dev/<version>-data` annotation is not what
 *   opkit writes;
 * - `MalformedReview`: the request is not a ConversionReview v1 (the server answers 400).
 */
export type ConversionErrorReason =
  | 'InvalidDefinition'
  | 'UnknownKind'
  | 'UnknownVersion'
  | 'ConverterFailed'
  | 'NotJson'
  | 'InvalidObject'
  | 'InvalidConversionData'
  | 'MalformedReview';

/** An error of the conversion webhook (not retryable: the input or the converter must change). */
export class ConversionError extends OpkitError {
  declare readonly reason: ConversionErrorReason;

  constructor(options: { readonly reason: ConversionErrorReason; readonly message: string; readonly cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}
