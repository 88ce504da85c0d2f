/**
 * Before `create-operator` writes a project it will install, it checks that the npm registry
 * answers: a project written but not installable is half-made, and npm's own error after minutes
 * of retries does not say what to do.
 * @module
 */
import { spawn } from 'node:child_process';
import { ScaffoldError } from '../generators/shared/errors.js';
import type { CliIo } from './io.js';

/** The error codes that mean the registry could not be reached at all (not: it answered with an error). */
const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_TIMEOUT', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT'];

/** What `npm ping` said: the registry it asked, and the network error code when it could not reach it. */
export interface PingOutcome {
  readonly registry: string | undefined;
  readonly networkError: string | undefined;
}

/** Reads `npm ping`'s output (a failure that is not a network error, e.g. a registry without /-/ping, counts as reachable). */
export function parsePing(output: string, exitCode: number | null): PingOutcome {
  const registry = /PING (\S+)/.exec(output)?.[1];
  if (exitCode === 0) return { registry, networkError: undefined };
  const code = /(?:^|\n)npm error code (\S+)/.exec(output)?.[1] ?? /\bcode: '([A-Z_]+)'/.exec(output)?.[1];
  return { registry, networkError: code !== undefined && NETWORK_CODES.includes(code) ? code : undefined };
}

/** The error for an unreachable registry: the cause, and the fixes. */
export function registryUnreachable(outcome: PingOutcome): ScaffoldError {
  const where = outcome.registry ?? 'the npm registry';
  return new ScaffoldError({
    reason: 'RegistryUnreachable',
    message:
      `cannot reach the npm registry ${where} (${outcome.networkError ?? 'no answer'}); the new project's dependencies are installed from it, so nothing was written. ` +
      'Fix: check the network connection and proxy settings (npm config get proxy), or the registry (npm config get registry; npm config set registry <url>), then run the command again; ' +
      'or pass --skip-install to write the project without installing it.',
  });
}

/**
 * Runs `npm ping` (no retries, 10 s timeout) in `cwd` with `io.env`. Resolves when the registry
 * answered or when npm cannot be started (then the install reports its own error).
 * @throws ScaffoldError `RegistryUnreachable` when the registry cannot be reached.
 */
export async function checkRegistry(cwd: string, io: CliIo): Promise<void> {
  const outcome = await new Promise<PingOutcome | undefined>((resolve) => {
    const child = spawn('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=10000', '--loglevel=notice'], {
      cwd,
      env: { ...io.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => resolve(parsePing(Buffer.concat(chunks).toString('utf8'), code)));
  });
  if (outcome?.networkError !== undefined) throw registryUnreachable(outcome);
}
