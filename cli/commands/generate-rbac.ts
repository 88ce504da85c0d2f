/**
 * `opkit generate rbac`: flags, messages and exit codes around codegen/rbac. Exit codes: 0 success;
 * 1 an input error (a malformed marker, a kind it cannot resolve) or, with `--check`, files that
 * differ; 2 a usage error.
 * @module
 */
import { parseArgs } from 'node:util';
import { CodegenError } from '../../codegen/errors.js';
import { generateRbac } from '../../codegen/rbac/generate-rbac.js';

/** Usage text of `opkit generate rbac`. */
export const GENERATE_RBAC_USAGE = `Usage: opkit generate rbac [ts files|folders...] [options]

Generates the operator's least-privilege RBAC (config/rbac/role.yaml, role_binding.yaml,
leader_election_role.yaml) from @rbac markers (see docs/markers.md), what the controllers'
code implies (for/owns/watches, status writes, owner references, finalizers) and what the
runtime needs (events, leases). Reads src/ by default.

Options:
  -o, --out <dir>         output folder (default config/rbac)
      --check             write nothing; exit 1 listing files that differ (for CI)
      --namespace <ns>    the manager watches only these namespaces (repeatable): a Role and
                          RoleBinding per namespace (default: read new Manager({ namespace }))
      --cluster           the manager watches all namespaces: a ClusterRole (default: as above)
  -h, --help              show this help
`;

/** Where the command writes; defaults to the process's streams. */
export interface RbacCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The project folder (default `process.cwd()`). */
  readonly cwd?: string;
}

const processIo: RbacCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `opkit generate rbac [inputs…] [--out dir] [--check] [--namespace ns…|--cluster]`; returns the exit code. */
export async function runGenerateRbac(argv: readonly string[], io: RbacCommandIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        check: { type: 'boolean' },
        namespace: { type: 'string', multiple: true },
        cluster: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n\n${GENERATE_RBAC_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(GENERATE_RBAC_USAGE);
    return 0;
  }
  if (values.cluster === true && values.namespace !== undefined) {
    io.stderr(`error: --cluster and --namespace exclude each other\n\n${GENERATE_RBAC_USAGE}`);
    return 2;
  }
  const check = values.check === true;
  try {
    const result = await generateRbac({
      ...(positionals.length > 0 ? { inputs: positionals } : {}),
      ...(values.out === undefined ? {} : { out: values.out }),
      ...(values.cluster === true ? { scope: 'cluster' as const } : values.namespace ? { scope: values.namespace } : {}),
      ...(io.cwd === undefined ? {} : { cwd: io.cwd }),
      check,
    });
    for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
    const differing = result.files.filter((f) => f.status === 'missing' || f.status === 'differs');
    if (check) {
      if (differing.length === 0) {
        io.stdout(`RBAC up to date (${result.files.length} file(s))\n`);
        return 0;
      }
      io.stderr(`${differing.length} RBAC file(s) differ from what \`opkit generate rbac\` would write:\n`);
      for (const f of differing) io.stderr(`  ${f.path} (${f.status})\n`);
      io.stderr('run `opkit generate rbac` to update them (the code or its @rbac markers changed)\n');
      return 1;
    }
    const written = result.files.filter((f) => f.status === 'written');
    io.stdout(`wrote ${written.length} RBAC file(s), ${result.files.length - written.length} unchanged\n`);
    for (const f of written) io.stdout(`  ${f.path}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CodegenError) {
      io.stderr(`error: ${err.message}\nnothing was written\n`);
      return 1;
    }
    throw err;
  }
}
