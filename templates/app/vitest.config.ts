import { defineConfig } from 'vitest/config';

/** Controller tests start a real control plane (etcd + kube-apiserver): one per test file. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
