import { describe, expect, test } from 'vitest';
import { defaultGroup, defaultKind, kebabCase, pascalCase, pluralize, toPackageName, transliterate } from '../../../generators/shared/names.js';

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

  test('filler words make no kind: the default folder my-operator gives Widget, not My (plural "mies")', () => {
    expect(defaultKind('my-operator')).toBe('Widget');
    expect(pluralize(defaultKind('my-operator'))).toBe('widgets');
    expect(defaultKind('my-op')).toBe('Widget');
    expect(defaultKind('my-cache-operator')).toBe('Cache');
    expect(defaultKind('test-website-operator')).toBe('Website');
  });

  test('the group is the project name without -operator and filler words, as a DNS label', () => {
    expect(defaultGroup('webapp-operator')).toBe('webapp');
    expect(defaultGroup('cache-cluster')).toBe('cache-cluster');
    expect(defaultGroup('my_cool.op')).toBe('cool');
    expect(defaultGroup('my-operator')).toBe('widget');
    expect(defaultGroup('42')).toBe('widget');
  });

  test('a folder name becomes a valid npm package name', () => {
    expect(toPackageName('My Operator')).toBe('my-operator');
    expect(toPackageName('.hidden')).toBe('hidden');
  });

  test('a Cyrillic or accented folder name is transliterated; another script gives no name', () => {
    expect(transliterate('Мой-Оператор')).toBe('Moy-Operator');
    expect(toPackageName('мой оператор')).toBe('moy-operator');
    expect(toPackageName('щётка-ёж')).toBe('shchetka-ezh');
    expect(toPackageName('Київ')).toBe('kiyiv');
    expect(toPackageName('café-opérateur')).toBe('cafe-operateur');
    expect(toPackageName('项目')).toBe('');
  });

  test('kebab and Pascal case split on case changes and separators', () => {
    expect(kebabCase('CacheCluster')).toBe('cache-cluster');
    expect(kebabCase('HTTPRoute')).toBe('http-route');
    expect(pascalCase('web-app_thing')).toBe('WebAppThing');
  });
});
