import { describe, expect, it } from 'vitest';
import { buildPath } from '../../../runtime/src/client/prepared.js';
import type { Query } from '../../../runtime/src/client/transport.js';

describe('buildPath', () => {
  it('appends the query with undefined values left out and names and values encoded', () => {
    expect(buildPath('/api/v1/configmaps', { labelSelector: 'a=b,c', limit: 5, continue: undefined, watch: true })).toBe('/api/v1/configmaps?labelSelector=a%3Db%2Cc&limit=5&watch=true');
    expect(buildPath('/api/v1/configmaps', undefined)).toBe('/api/v1/configmaps');
    expect(buildPath('/api/v1/configmaps', { continue: undefined })).toBe('/api/v1/configmaps');
  });

  it('builds the query string of a frozen query once per cache, and never caches a query that can change', () => {
    const cache = new WeakMap<Query, string>();
    const shared = Object.freeze({ fieldManager: 'opkit' });
    expect(buildPath('/a', shared, cache)).toBe('/a?fieldManager=opkit');
    expect(cache.get(shared)).toBe('?fieldManager=opkit');
    expect(buildPath('/b', shared, cache)).toBe('/b?fieldManager=opkit');
    const mutable: Record<string, string> = { fieldManager: 'x' };
    expect(buildPath('/a', mutable, cache)).toBe('/a?fieldManager=x');
    mutable['fieldManager'] = 'y';
    expect(buildPath('/a', mutable, cache)).toBe('/a?fieldManager=y');
    expect(cache.has(mutable)).toBe(false);
  });
});
