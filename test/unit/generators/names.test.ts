import { describe, expect, test } from 'vitest';
import { defaultGroup, defaultKind, kebabCase, pascalCase, pluralize, toPackageName } from '../../../generators/shared/names.js';

describe('pluralize', () => {
  test.each([
    ['Policy', 'policies'],
    ['Ingress', 'ingresses'],
    ['Gateway', 'gateways'],
    ['Webapp', 'webapps'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Box', 'boxes'],
    ['Batch', 'batches'],
    ['Mesh', 'meshes'],
    ['Proxy', 'proxies'],
    ['Key', 'keys'],
    ['Person', 'people'],
    ['Status', 'statuses'],
    ['Leaf', 'leaves'],
    ['Knife', 'knives'],
    ['Hero', 'heroes'],
    ['Photo', 'photos'],
    ['Data', 'data'],
    ['HTTPRoute', 'httproutes'],
    ['CacheCluster', 'cacheclusters'],
    ['Index', 'indices'],
  ])('%s becomes %s', (kind, plural) => {
    expect(pluralize(kind)).toBe(plural);
  });
});

describe('names from a project name', () => {
  test('the kind is the PascalCase of the project name without -operator', () => {
    expect(defaultKind('webapp-operator')).toBe('Webapp');
    expect(defaultKind('cache-cluster')).toBe('CacheCluster');
    expect(defaultKind('operator')).toBe('Operator');
  });

  test('a project name that gives no valid kind, or a reserved one, falls back to Widget', () => {
    expect(defaultKind('123')).toBe('Widget');
    expect(defaultKind('list')).toBe('Widget');
    expect(defaultKind('manager-operator')).toBe('Widget');
  });

  test('the group is the project name without -operator, as a DNS label', () => {
    expect(defaultGroup('webapp-operator')).toBe('webapp');
    expect(defaultGroup('my_cool.op')).toBe('my-cool-op');
    expect(defaultGroup('42')).toBe('apps');
  });

  test('a folder name becomes a valid npm package name', () => {
    expect(toPackageName('My Operator')).toBe('my-operator');
    expect(toPackageName('.hidden')).toBe('hidden');
  });

  test('kebab and Pascal case split on case changes and separators', () => {
    expect(kebabCase('CacheCluster')).toBe('cache-cluster');
    expect(kebabCase('HTTPRoute')).toBe('http-route');
    expect(pascalCase('web-app_thing')).toBe('WebAppThing');
  });
});
