/**
 * `@opkit/runtime/testing/conversion`: the round-trip property test of a conversion (fast-check),
 * which every scaffolded conversion's test runs. Needs `fast-check` (an optional peer dependency:
 * `npm install --save-dev fast-check`); `@opkit/runtime/testing` does not load it.
 * @packageDocumentation
 */
export { checkConversionRoundTrip, RoundTripError, type RoundTripOptions, type CrdSchemas } from './round-trip.js';
export { arbitraryOf, schemaProblems, type StructuralSchema } from './schema.js';
