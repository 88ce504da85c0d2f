import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { KubeConfigError } from './errors.js';

/** A cluster entry of a kubeconfig (kubeconfig field names; paths made absolute). */
export interface KubeconfigCluster {
  readonly server?: string;
  readonly 'certificate-authority'?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'tls-server-name'?: string;
  readonly 'proxy-url'?: string;
}

/** An exec credential plugin entry of a kubeconfig user. */
export interface KubeconfigExec {
  readonly apiVersion?: string;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value: string }> | null;
  readonly interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  readonly provideClusterInfo?: boolean;
  readonly installHint?: string;
}

/** A user entry of a kubeconfig (paths made absolute). */
export interface KubeconfigUser {
  readonly 'client-certificate'?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-key'?: string;
  readonly 'client-key-data'?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly as?: string;
  readonly 'as-groups'?: readonly string[];
  readonly 'as-user-extra'?: Readonly<Record<string, readonly string[]>>;
  readonly exec?: KubeconfigExec;
  readonly 'auth-provider'?: { readonly name?: string; readonly config?: Readonly<Record<string, string>> };
}

/** A context entry of a kubeconfig. */
export interface KubeconfigContext {
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** Named entries, each remembering the file it came from (for error messages). */
export interface Entry<T> {
  readonly value: T;
  readonly file: string;
}

/** Kubeconfig files merged with client-go's rules. */
export interface MergedKubeconfig {
  readonly files: readonly string[];
  readonly clusters: ReadonlyMap<string, Entry<KubeconfigCluster>>;
  readonly users: ReadonlyMap<string, Entry<KubeconfigUser>>;
  readonly contexts: ReadonlyMap<string, Entry<KubeconfigContext>>;
  readonly currentContext: string | undefined;
}

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function absolute(dir: string, p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return undefined;
  return isAbsolute(p) ? p : resolve(dir, p);
}

function named(doc: Raw, list: string, field: string, file: string): Array<{ name: string; value: Raw }> {
  const entries = doc[list];
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new KubeConfigError({ reason: 'Malformed', message: `${file}: "${list}" is not a list` });
  return entries.map((e: unknown, i) => {
    if (!isRecord(e) || typeof e['name'] !== 'string' || e['name'] === '')
      throw new KubeConfigError({ reason: 'Malformed', message: `${file}: ${list}[${i}] has no name` });
    const value = e[field] ?? {};
    if (!isRecord(value)) throw new KubeConfigError({ reason: 'Malformed', message: `${file}: ${list}[${i}] ("${e['name']}") has no ${field} map` });
    return { name: e['name'], value };
  });
}

/** Relative file paths in a kubeconfig are relative to its directory (exec commands only when they name a path). */
function resolvePaths(kind: 'cluster' | 'user', value: Raw, dir: string): Raw {
  const out: Raw = { ...value };
  const keys = kind === 'cluster' ? ['certificate-authority'] : ['client-certificate', 'client-key', 'tokenFile'];
  for (const k of keys) if (out[k] !== undefined) out[k] = absolute(dir, out[k]);
  const exec = out['exec'];
  if (kind === 'user' && isRecord(exec) && typeof exec['command'] === 'string' && /[\\/]/.test(exec['command'])) {
    out['exec'] = { ...exec, command: absolute(dir, exec['command']) };
  }
  return out;
}

/**
 * Parses one kubeconfig file's text (YAML 1.2 core schema, or JSON).
 * @throws KubeConfigError `Malformed` naming the file.
 */
export async function parseKubeconfig(text: string, file: string): Promise<Raw> {
  let doc: unknown;
  try {
    // js-yaml (core schema), loaded only when a file is read: ~3 MiB and ~25 ms at start-up, where
    // the \`yaml\` package costs ~10 MiB and ~100 ms
    const { load, CORE_SCHEMA } = (await import('js-yaml')).default;
    doc = load(text, { filename: file, schema: CORE_SCHEMA });
  } catch (cause) {
    throw new KubeConfigError({ reason: 'Malformed', message: `${file} is not valid YAML: ${(cause as Error).message}`, cause });
  }
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new KubeConfigError({ reason: 'Malformed', message: `${file} is not a kubeconfig (a YAML map with clusters, users and contexts)` });
  return doc;
}

/**
 * Reads and merges kubeconfig files as client-go does: the first file that names a cluster, user
 * or context wins it, the first non-empty `current-context` wins, and relative paths resolve
 * against the directory of the file they are written in.
 *
 * @param files in precedence order; `optional` ones that do not exist are skipped (`KUBECONFIG`
 *   entries), others must exist.
 * @throws KubeConfigError `Unreadable` for a missing required file or an unreadable one, `Malformed`.
 */
export async function readKubeconfigs(files: ReadonlyArray<{ path: string; optional: boolean }>): Promise<MergedKubeconfig> {
  const clusters = new Map<string, Entry<KubeconfigCluster>>();
  const users = new Map<string, Entry<KubeconfigUser>>();
  const contexts = new Map<string, Entry<KubeconfigContext>>();
  let currentContext: string | undefined;
  const read: string[] = [];
  for (const { path, optional } of files) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if (optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new KubeConfigError({ reason: 'Unreadable', message: `cannot read the kubeconfig ${path}: ${(cause as Error).message}`, cause });
    }
    read.push(path);
    const doc = await parseKubeconfig(text, path);
    const dir = dirname(path);
    for (const { name, value } of named(doc, 'clusters', 'cluster', path))
      if (!clusters.has(name)) clusters.set(name, { value: resolvePaths('cluster', value, dir) as KubeconfigCluster, file: path });
    for (const { name, value } of named(doc, 'users', 'user', path))
      if (!users.has(name)) users.set(name, { value: resolvePaths('user', value, dir) as KubeconfigUser, file: path });
    for (const { name, value } of named(doc, 'contexts', 'context', path)) if (!contexts.has(name)) contexts.set(name, { value: value as KubeconfigContext, file: path });
    const cc = doc['current-context'];
    if (currentContext === undefined && typeof cc === 'string' && cc !== '') currentContext = cc;
  }
  return { files: read, clusters, users, contexts, currentContext };
}
