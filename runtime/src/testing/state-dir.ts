import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createControlPlaneCerts, type ControlPlaneCerts } from './certs.js';
import { TestEnvironmentError } from './errors.js';

/**
 * The certificates of a persistent control plane (`TestEnvironment({ stateDir })`): read from
 * `<dir>/pki/certs.json`, or created and saved there on the first start, so clients, issued
 * identities and etcd's data stay valid across restarts.
 *
 * @throws TestEnvironmentError `StartFailed` when the saved file is not what this function wrote.
 */
export function persistentCerts(dir: string): ControlPlaneCerts {
  const file = join(dir, 'pki', 'certs.json');
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneCerts;
      for (const pair of [saved.ca, saved.serving, saved.admin, saved.serviceAccount]) {
        if (typeof pair?.cert !== 'string' || typeof pair.key !== 'string') throw new Error('a key pair is missing');
      }
      return saved;
    } catch (cause) {
      throw new TestEnvironmentError({ reason: 'StartFailed', message: `${file} is not a saved control plane (${cause instanceof Error ? cause.message : String(cause)}); delete ${dir} to start afresh.`, cause });
    }
  }
  const certs = createControlPlaneCerts();
  mkdirSync(join(dir, 'pki'), { recursive: true });
  writeFileSync(file, JSON.stringify(certs), { mode: 0o600 });
  return certs;
}
