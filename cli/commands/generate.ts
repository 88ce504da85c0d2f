/**
 * `opkit generate types` and `opkit generate crd`: flag parsing, messages and exit codes around the
 * codegen library. Exit codes: 0 success; 1 an input error (missing path, malformed YAML, bad
 * marker) or, with `--check`, files that differ; 2 a usage error.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CodegenError, formatWarning, type CodegenWarning } from '../../codegen/errors.js';
import type { ClusterCrdReader } from '../../codegen/crd-to-ts/cluster.js';
import { generateTypes } from '../../codegen/crd-to-ts/generate-types.js';
import type { OutputFile } from '../../codegen/shared/files.js';

/** Where a command writes and what it may use; defaults to the process's streams. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads CRDs for `--from-cluster` (tests inject one). */
  readonly readClusterCrd?: ClusterCrdReader;
  /** The folder the command runs in (finds the project for default paths). Default `process.cwd()`. */
  readonly cwd?: string;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Usage text of `opkit generate types`. */
export const GENERATE_TYPES_USAGE = `Usage: opkit generate types <files|folders...> [--out <dir>] [options]

Generates TypeScript types and Resource descriptors from CRD schemas: one
<out>/<group>/<version>/index.ts per group and version. Schemas the API server
would reject are errors; nothing is written when any input fails.

Options:
  -o, --out <dir>              output folder (default inside an Opkit project: its src/api;
                               required elsewhere)
      --from-cluster <name>    also read this CRD from the current kubeconfig's cluster (repeatable)
      --check                  write nothing; exit 1 listing files that differ (for CI)
      --header <text>          extra header lines for every file (e.g. a license)
      --served-only            skip versions with served: false
      --max-input-size <MiB>   largest input file to read (default 32)
  -h, --help                   show this help
`;

/** Usage text of `opkit generate crd`. */
export const GENERATE_CRD_USAGE = `Usage: opkit generate crd <ts files|folders...> --out <dir> [options]

Generates CRD manifests (<out>/<group>_<plural>.yaml) from TypeScript types with
TSDoc markers (see docs/markers.md).

Options:
  -o, --out <dir>   output folder (required)
      --check       write nothing; exit 1 listing files that differ (for CI)
  -h, --help        show this help
`;

class UsageError extends Error {}

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function report(io: CommandIo, warnings: readonly CodegenWarning[]): void {
  for (const warning of warnings) io.stderr(`warning: ${formatWarning(warning)}\n`);
}

function summary(io: CommandIo, command: string, files: readonly OutputFile[], check: boolean): number {
  const generated = files.filter((f) => f.status !== 'stale');
  const stale = files.filter((f) => f.status === 'stale');
  if (check) {
    const differing = files.filter((f) => f.status === 'missing' || f.status === 'differs' || f.status === 'stale');
    if (differing.length === 0) {
      io.stdout(`${generated.length} file(s) up to date\n`);
      return 0;
    }
    io.stderr(`${differing.length} file(s) differ from what \`opkit ${command}\` would write:\n`);
    for (const file of differing) io.stderr(`  ${file.path} (${file.status === 'stale' ? 'no longer generated' : file.status})\n`);
    io.stderr(`run \`opkit ${command}\` without --check to update them${stale.length > 0 ? ' (and delete the files no longer generated)' : ''}\n`);
    return 1;
  }
  const written = generated.filter((f) => f.status === 'written').length;
  io.stdout(`wrote ${written} file(s), ${generated.length - written} unchanged\n`);
  for (const file of generated) if (file.status === 'written') io.stdout(`  ${file.path}\n`);
  for (const file of stale) io.stderr(`warning: ${file.path} has a generated header but is no longer generated; delete it if it is not needed\n`);
  return 0;
}

async function run(io: CommandIo, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${usage}`);
      return 2;
    }
    if (err instanceof CodegenError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** `--max-input-size 64` → bytes; a usage error for anything but a positive number. */
function parseMebibytes(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0)) throw new UsageError(`--max-input-size takes a size in MiB (e.g. 64), not ${JSON.stringify(text)}`);
  return Math.floor(value * 1024 * 1024);
}

/**
 * `<project>/src/api` when `cwd` is inside an Opkit project: the nearest folder at or above it
 * whose package.json has an `opkit` field (as `opkit create api` finds it); otherwise undefined.
 */
export function projectApiFolder(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { opkit?: unknown };
        if (typeof pkg.opkit === 'object' && pkg.opkit !== null) return join(dir, 'src', 'api');
      } catch {
        // not JSON: not a project marker; keep looking upwards
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** `opkit generate types <files|folders...> --out <dir> [--from-cluster <name>] [--check]`; returns the exit code. */
export async function runGenerateTypes(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  return run(io, GENERATE_TYPES_USAGE, async () => {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', short: 'o' },
      'from-cluster': { type: 'string', multiple: true },
      check: { type: 'boolean' },
      header: { type: 'string' },
      'served-only': { type: 'boolean' },
      'max-input-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout(GENERATE_TYPES_USAGE);
      return 0;
    }
    const fromCluster = values['from-cluster'] ?? [];
    const out = values.out ?? projectApiFolder(io.cwd ?? process.cwd());
    if (out === undefined) throw new UsageError('--out <dir> is required outside an Opkit project (a folder whose package.json has an "opkit" field)');
    if (positionals.length === 0 && fromCluster.length === 0) throw new UsageError('give at least one CRD file or folder, or --from-cluster <name>');
    const check = values.check === true;
    const maxInputBytes = values['max-input-size'] === undefined ? undefined : parseMebibytes(values['max-input-size']);
    const result = await generateTypes({
      inputs: positionals,
      out,
      check,
      fromCluster,
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      ...(values.header === undefined ? {} : { header: values.header }),
      ...(values['served-only'] === true ? { servedOnly: true } : {}),
      ...(io.readClusterCrd === undefined ? {} : { readClusterCrd: io.readClusterCrd }),
    });
    report(io, result.warnings);
    if (result.crds.length === 0) io.stderr('warning: no CustomResourceDefinition found in the inputs\n');
    return summary(io, 'generate types', result.files, check);
  });
}

/** `opkit generate crd <ts files|folders...> --out <dir> [--check]`; returns the exit code. */
export async function runGenerateCrd(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  return run(io, GENERATE_CRD_USAGE, async () => {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', short: 'o' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout(GENERATE_CRD_USAGE);
      return 0;
    }
    if (values.out === undefined) throw new UsageError('--out <dir> is required');
    if (positionals.length === 0) throw new UsageError('give at least one TypeScript file or folder');
    const check = values.check === true;
    // loaded here, not at the top: it loads ts-morph (a TypeScript compiler), which generate types does not need
    const { generateCrd } = await import('../../codegen/ts-to-crd/generate-crd.js');
    const result = await generateCrd({ inputs: positionals, out: values.out, check });
    report(io, result.warnings);
    if (result.crds.length === 0) io.stderr('warning: no root type found (an interface with a Resource descriptor const, or @group and @version tags)\n');
    return summary(io, 'generate crd', result.files, check);
  });
}
