/**
 * Recognising an Opkit project: its package.json carries an `opkit` field written by
 * `create-operator` (`{ "domain": "example.com" }`).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ScaffoldError } from './errors.js';

/** What a project records about itself in package.json's `opkit` field. */
export interface ProjectConfig {
  /** The package name. */
  readonly name: string;
  /** The domain of the project's API groups (`<group>.<domain>`). */
  readonly domain: string;
}

/**
 * Reads the project config of the project at `root`.
 * @throws ScaffoldError `NotAProject` when `root` has no package.json, or one without an `opkit`
 * field, or no src/main.ts.
 */
export function readProjectConfig(root: string): ProjectConfig {
  const manifest = join(root, 'package.json');
  const hint = 'run it in a project created by `npm create operator` (or `create-operator`)';
  if (!existsSync(manifest)) {
    throw new ScaffoldError({ reason: 'NotAProject', message: `${root} is not an Opkit project: there is no package.json; ${hint}` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (err) {
    throw new ScaffoldError({ reason: 'NotAProject', message: `${manifest} is not valid JSON`, cause: err });
  }
  const pkg = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { name?: unknown; opkit?: unknown };
  const opkit = pkg.opkit;
  if (typeof opkit !== 'object' || opkit === null || typeof (opkit as { domain?: unknown }).domain !== 'string') {
    throw new ScaffoldError({ reason: 'NotAProject', message: `${root} is not an Opkit project: its package.json has no "opkit": { "domain": ... } field; ${hint}` });
  }
  if (!existsSync(join(root, 'src', 'main.ts'))) {
    throw new ScaffoldError({ reason: 'NotAProject', message: `${root} is not an Opkit project: src/main.ts is missing; ${hint}` });
  }
  return { name: typeof pkg.name === 'string' ? pkg.name : '', domain: (opkit as { domain: string }).domain };
}

/**
 * The root of the Opkit project that contains `dir`: the nearest folder at or above it whose
 * package.json has an `opkit` field; `dir` itself when there is none (then
 * {@link readProjectConfig} explains why it is not a project).
 */
export function findProjectRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { opkit?: unknown };
        if (typeof pkg.opkit === 'object' && pkg.opkit !== null) return d;
      } catch {
        return dir;
      }
    }
    if (dirname(d) === d) return dir;
  }
}
