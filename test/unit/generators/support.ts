/**
 * Helpers of the generator tests: run a command in-process with captured output, read a folder
 * tree, and make generated text independent of where the checkout is.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../../cli/io.js';
import { packageRoot } from '../../../generators/shared/paths.js';

/** The absolute path of this checkout, as it appears in generated package.json files. */
export const CHECKOUT = packageRoot();

/** Replaces the checkout's absolute path with `<OPKIT_ROOT>`. */
export function placeholder(text: string): string {
  return text.split(CHECKOUT).join('<OPKIT_ROOT>');
}

/** A command's captured run. */
export interface Captured {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** In-process io for `cwd`: no terminal, output captured. */
export function captureIo(cwd: string): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
  return {
    io: { stdin: Readable.from([]), stdout, stderr, cwd, env: process.env, interactive: false },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** A new temp folder; removed by the returned function. */
export function tempDir(prefix = 'opkit-gen-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative path with `/` → content), sorted; `{}` when `dir` does not exist. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}
