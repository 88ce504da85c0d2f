/** One RFC 6902 operation, as a mutating webhook returns them. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON Pointer (RFC 6901) token: `~` → `~0`, `/` → `~1`. */
export function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => equal(v, b[i] as Json));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k] as Json, b[k] as Json));
  }
  return false;
}

function walk(a: Json, b: Json, path: string, ops: JsonPatchOperation[]): void {
  if (equal(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a)) if (!(key in b)) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` });
    for (const key of Object.keys(b)) {
      const at = `${path}/${escapePointer(key)}`;
      if (key in a) walk(a[key] as Json, b[key] as Json, at, ops);
      else ops.push({ op: 'add', path: at, value: b[key] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    const prefixChanged = a.slice(0, common).filter((v, i) => !equal(v, b[i] as Json)).length;
    // element-wise unless every shared element changed (then one replace says it shorter)
    if (common > 0 && prefixChanged < common) {
      for (let i = 0; i < common; i++) walk(a[i] as Json, b[i] as Json, `${path}/${i}`, ops);
      for (let i = a.length - 1; i >= b.length; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
      for (let i = a.length; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
      return;
    }
  }
  ops.push({ op: 'replace', path, value: b });
}

/**
 * The JSON Patch (RFC 6902) that turns `before` into `after`: only what differs — members added,
 * removed or replaced, arrays element-wise unless every element they share changed.
 *
 * Guarantees: applying the patch to `before` gives a value equal (as JSON) to `after`; members
 * equal in both produce no operation, so fields the caller's types do not know are never
 * touched; `undefined` members count as absent (as in JSON).
 * Caveats: values are compared as JSON (`after` goes through `JSON.stringify`; so does `before`
 * unless `beforeIsJson` says it came from `JSON.parse`, as a review's object does).
 */
export function createJsonPatch(before: unknown, after: unknown, options: { readonly beforeIsJson?: boolean } = {}): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  const a = (options.beforeIsJson ? (before ?? null) : JSON.parse(JSON.stringify(before ?? null))) as Json;
  const b = JSON.parse(JSON.stringify(after ?? null)) as Json;
  walk(a, b, '', ops);
  return ops;
}

/**
 * Applies `ops` to a copy of `doc` (what the API server does with a mutating webhook's patch):
 * `add`, `remove`, `replace`; for tests and for checking a patch.
 * @throws Error when a path does not exist.
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let root = JSON.parse(JSON.stringify(doc ?? null)) as Json;
  for (const op of ops) {
    if (op.path === '') {
      if (op.op === 'remove') throw new Error('cannot remove the document root');
      root = op.value as Json;
      continue;
    }
    const tokens = op.path.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() as string;
    let parent: Json = root;
    for (const t of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
      if (next === undefined) throw new Error(`path ${op.path} does not exist`);
      parent = next;
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, op.value as Json);
      else if (op.op === 'remove') parent.splice(i, 1);
      else parent[i] = op.value as Json;
    } else if (isObject(parent)) {
      if (op.op === 'remove') {
        if (!(last in parent)) throw new Error(`path ${op.path} does not exist`);
        delete parent[last];
      } else parent[last] = op.value as Json;
    } else throw new Error(`path ${op.path} does not exist`);
  }
  return root;
}
