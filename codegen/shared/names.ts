/**
 * Identifiers and names: when a property name needs quotes, how a type name is derived from a
 * path, and a deterministic allocator that resolves collisions with numeric suffixes.
 * @module
 */

/** ECMAScript reserved words (and strict-mode ones); property names equal to these are quoted. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void',
  'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected',
  'public', 'await',
]);

/**
 * Type names a generated declaration must never take: TypeScript's global types the generated code
 * refers to (or a reader expects), and TypeScript's type keywords.
 */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Array', 'ReadonlyArray', 'Record', 'Partial', 'Required', 'Readonly', 'Pick', 'Omit', 'Object', 'String',
  'Number', 'Boolean', 'Symbol', 'BigInt', 'Function', 'Date', 'RegExp', 'Error', 'Map', 'Set', 'Promise',
  'JSON', 'Math', 'unknown', 'never', 'any', 'object', 'string', 'number', 'boolean', 'symbol', 'bigint',
  'undefined', 'null', 'void', 'globalThis',
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether a property name can be written without quotes (an identifier that is not a reserved word). */
export function isPlainPropertyName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name);
}

/** A single-quoted TypeScript string literal for any string. */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex -- the characters that need an escape
  if (!/['\\\x00-\x1f\x7f\u2028\u2029]/.test(value)) return `'${value}'`;
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "'") out += "\\'";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x2028 || code === 0x2029 || code === 0x7f) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}'`;
}

/** A property name as written in an interface: bare when possible, quoted otherwise. */
export function propertyKey(name: string): string {
  return isPlainPropertyName(name) ? name : quoteString(name);
}

/**
 * The PascalCase form of a name, for use inside a type name: `privateKey` → `PrivateKey`,
 * `x-509_cert` → `X509Cert`. Characters that cannot appear in an identifier are dropped; the
 * empty result becomes `Field`.
 */
export function pascalCase(name: string): string {
  if (/^[A-Za-z0-9]+$/.test(name)) return name.charAt(0).toUpperCase() + name.slice(1);
  const parts = name.split(/[^A-Za-z0-9]+/).filter((part) => part !== '');
  const joined = parts.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return joined === '' ? 'Field' : joined;
}

/**
 * Hands out unique names. A wanted name that is taken gets the smallest numeric suffix (`2`, `3`,
 * ...) that is free, so the same sequence of requests always gives the same names.
 */
export class NameAllocator {
  readonly #taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#taken.add(name);
    for (const name of RESERVED_TYPE_NAMES) this.#taken.add(name);
  }

  /** Marks a name as taken (for example a kind name), without checking. */
  reserve(name: string): void {
    this.#taken.add(name);
  }

  /** Whether a name is taken. */
  has(name: string): boolean {
    return this.#taken.has(name);
  }

  /** The wanted name if free, otherwise the wanted name with the smallest free numeric suffix. */
  allocate(wanted: string): string {
    const first = wanted.charCodeAt(0);
    // starts like an identifier (A-Z, a-z, _ or $)
    const base = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95 || first === 36 ? wanted : `T${wanted}`;
    if (!this.#taken.has(base)) {
      this.#taken.add(base);
      return base;
    }
    for (let i = 2; ; i += 1) {
      const candidate = `${base}${i}`;
      if (!this.#taken.has(candidate)) {
        this.#taken.add(candidate);
        return candidate;
      }
    }
  }
}
