import { describe, expect, test } from 'vitest';
import { packageManagerOf } from '../../../cli/install.js';
import { parsePing, registryUnreachable } from '../../../cli/registry-check.js';

const REFUSED = `npm notice PING http://127.0.0.1:9/
npm error code ECONNREFUSED
npm error syscall connect
npm error FetchError: request to http://127.0.0.1:9/-/ping failed, reason: connect ECONNREFUSED 127.0.0.1:9
`;

describe('the registry check of create-operator', () => {
  test('a refused connection is a network error, with the registry npm asked', () => {
    expect(parsePing(REFUSED, 1)).toEqual({ registry: 'http://127.0.0.1:9/', networkError: 'ECONNREFUSED' });
  });

  test('a registry that answers, even with an error status, is reachable', () => {
    expect(parsePing('npm notice PING http://127.0.0.1:4873/\nnpm notice PONG 12ms\n', 0).networkError).toBeUndefined();
    expect(parsePing('npm notice PING http://127.0.0.1:4873/\nnpm error code E404\nnpm error 404 Not Found - GET http://127.0.0.1:4873/-/ping\n', 1).networkError).toBeUndefined();
  });

  test('a name that does not resolve is a network error', () => {
    expect(parsePing('npm notice PING https://registry.invalid/\nnpm error code ENOTFOUND\n', 1).networkError).toBe('ENOTFOUND');
  });

  test('the error names the registry, the cause and the fixes', () => {
    const err = registryUnreachable({ registry: 'http://127.0.0.1:9/', networkError: 'ECONNREFUSED' });
    expect(err.reason).toBe('RegistryUnreachable');
    expect(err.message).toContain('cannot reach the npm registry http://127.0.0.1:9/ (ECONNREFUSED)');
    expect(err.message).toContain('nothing was written');
    expect(err.message).toContain('npm config get registry');
    expect(err.message).toContain('--skip-install');
  });
});

describe('the package manager that runs create-operator', () => {
  test('is read from npm_config_user_agent, npm by default', () => {
    expect(packageManagerOf({ npm_config_user_agent: 'pnpm/12.4.2 npm/? node/v20.20.2 linux x64' })).toBe('pnpm');
    expect(packageManagerOf({ npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false' })).toBe('npm');
    expect(packageManagerOf({ npm_config_user_agent: 'yarn/4.5.0 npm/? node/v22.0.0' })).toBe('yarn');
    expect(packageManagerOf({})).toBe('npm');
  });
});
