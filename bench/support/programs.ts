/**
 * The programs the controller-runtime comparisons run: the Go one (bench/go, built
 * from Go modules with the control plane's Go-build helper and cached outside the repository by
 * controller-runtime version and source hash) and the Opkit ones (bench/operator/*.ts, transpiled
 * to plain JavaScript that imports the built `@opkit/runtime`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { defaultCacheDir, platformTag } from '../../runtime/src/testing/assets.js';
import { buildInto, GoToolchain } from '../../runtime/src/testing/go-build.js';
import type { OperatorCommand } from './operator-process.js';

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const goDir = join(repoRoot, 'bench', 'go');

/** The controller-runtime version bench/go/go.mod requires. */
export function controllerRuntimeVersion(): string {
  const m = /^\s*(?:require\s+)?sigs\.k8s\.io\/controller-runtime (v\S+)/m.exec(readFileSync(join(goDir, 'go.mod'), 'utf8'));
  if (!m?.[1]) throw new Error('bench/go/go.mod does not require sigs.k8s.io/controller-runtime');
  return m[1];
}

/** The k8s.io/client-go version bench/go/go.sum resolved (what controller-runtime builds on). */
export function clientGoVersion(): string {
  const m = /^k8s\.io\/client-go (v[^\s/]+) /m.exec(readFileSync(join(goDir, 'go.sum'), 'utf8'));
  return m?.[1] ?? 'unknown';
}

/**
 * The cached Go baseline binary (`opkit-bench-go operator|webhook …`), built first when missing (`go build -mod=readonly`, so the
 * committed go.sum decides every module version).
 *
 * Caveats: the first build compiles controller-runtime and client-go: minutes on a loaded 2-core
 * machine. The cache key is the controller-runtime version plus a hash of go.mod, go.sum and the
 * Go sources, so an edit rebuilds.
 */
export async function goBaseline(onProgress: (line: string) => void = (l) => console.log(l)): Promise<string> {
  const sources = ['go.mod', 'go.sum', ...readdirSync(goDir).filter((f) => f.endsWith('.go')).sort()];
  const hash = createHash('sha256');
  for (const f of sources) hash.update(`${f}\0`).update(readFileSync(join(goDir, f)));
  const version = controllerRuntimeVersion();
  const cacheRoot = join(dirname(defaultCacheDir()), 'bench');
  const target = join(cacheRoot, 'controller-runtime', `${version}-${hash.digest('hex').slice(0, 12)}-${platformTag()}`, 'opkit-bench-go');
  if (!existsSync(target)) {
    const go = new GoToolchain({ env: { ...process.env, GOFLAGS: '-mod=readonly' }, onProgress, purpose: 'to build the controller-runtime baseline (bench/go)' });
    await go.ensureAvailable();
    onProgress(`building the controller-runtime ${version} baseline into ${target} …`);
    await buildInto(cacheRoot, target, (work) => go.build(goDir, join(work, 'opkit-bench-go'), ['-s', '-w'], 'opkit-bench-go'));
  }
  return target;
}

/**
 * An Opkit program of bench/operator (`name`: `opkit-operator`, `opkit-webhook`) as plain
 * JavaScript under node_modules/.cache (so `@opkit/runtime` resolves to this checkout's build), run
 * with `node --expose-gc`.
 * @throws Error when runtime/dist is missing (run `npm run build`).
 */
export function opkitProgram(name: string): OperatorCommand {
  if (!existsSync(join(repoRoot, 'runtime', 'dist', 'index.js'))) throw new Error('runtime/dist is missing: run `npm run build` first');
  const source = readFileSync(join(repoRoot, 'bench', 'operator', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
  });
  const out = join(repoRoot, 'node_modules', '.cache', 'opkit-bench', `${name}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, outputText);
  return { command: process.execPath, args: ['--expose-gc', out] };
}
