/**
 * `@opkit/runtime/errors`: the base error class of everything Opkit throws, and the one-line
 * formatter, without the rest of the runtime. The root entry re-exports the same class, so
 * `instanceof OpkitError` holds whichever entry an error's thrower imported it from. For tools that
 * only need to throw or recognise Opkit's errors (the `opkit` CLI), importing this entry instead of
 * the root saves loading the manager, client, cache and metrics modules.
 * @packageDocumentation
 */
export { OpkitError, describeError } from './opkit-error.js';
