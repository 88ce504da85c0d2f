/**
 * `@opkit/runtime/log`: structured JSON logs — the logger, a silent one, a pino adapter, and
 * field redaction.
 * @packageDocumentation
 */
export { createJsonLogger, silentLogger, type Logger, type LogFields, type LogLevel, type JsonLoggerOptions } from './logger.js';
export { redactFields, REDACTED } from './redact.js';
export { pinoLogger, type PinoLike } from './pino.js';
