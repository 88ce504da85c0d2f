/** TestEnvironment({ stateDir }): a control plane whose data survives a stop and a new start. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { createClient } from '../../../runtime/src/client/client.js';
import { createTransport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { processesMatching } from '../../support/processes.js';

describe('TestEnvironment({ stateDir })', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'opkit-state-')), 'dev');
  afterAll(() => rmSync(join(stateDir, '..'), { recursive: true, force: true }));

  it('keeps objects, certificates and the kubeconfig path across a stop and a new environment, and leaves no process', async () => {
    const first = new TestEnvironment({ stateDir });
    const a = await first.start();
    const ta = createTransport(a.kubeConfig);
    await createClient(ta).create(ConfigMap, { metadata: { name: 'kept', namespace: 'default' }, data: { k: 'v' } });
    ta.close();
    await first.stop();
    expect(existsSync(join(stateDir, 'etcd'))).toBe(true);
    expect(processesMatching(stateDir)).toEqual([]);

    const second = new TestEnvironment({ stateDir });
    const b = await second.start();
    const tb = createTransport(b.kubeConfig);
    try {
      expect(b.kubeconfigPath).toBe(a.kubeconfigPath);
      expect((await createClient(tb).get(ConfigMap, { namespace: 'default', name: 'kept' })).data).toEqual({ k: 'v' });
    } finally {
      tb.close();
      await second.stop();
    }
    expect(processesMatching(stateDir)).toEqual([]);
  });
});
