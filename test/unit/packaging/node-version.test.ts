import { describe, expect, test } from 'vitest';
import { MINIMUM_NODE, unsupportedNode } from '../../../create-operator/node-version.js';

describe('the Node version check of npm create operator', () => {
  test('Node older than 20.19 is refused with the version, the requirement and the fix', () => {
    for (const old of ['18.20.4', '20.18.3', '16.0.0', '20.0.0']) {
      const problem = unsupportedNode(old);
      expect(problem).toContain(`Node ${old} is not supported`);
      expect(problem).toContain('>= 20.19');
      expect(problem).toContain('Install a newer Node');
      expect(problem).toContain('Nothing was written');
    }
  });

  test('20.19 and later pass', () => {
    for (const ok of ['20.19.0', '20.20.2', '22.0.0', '24.11.1', '30.0.0']) expect(unsupportedNode(ok)).toBeUndefined();
    expect(MINIMUM_NODE).toEqual([20, 19]);
  });

  test('an unreadable version is refused rather than passed', () => {
    expect(unsupportedNode('garbage')).toContain('cannot read the Node version "garbage"');
  });
});
