/**
 * Name derivations: kind from a folder name, plural from a kind, file names from a kind.
 * Pure functions; validation lives in `validate.ts`.
 * @module
 */
import { checkKind } from './validate.js';

/** Words whose plural is not formed by a rule (lower case). */
const IRREGULAR_PLURALS: ReadonlyMap<string, string> = new Map([
  ['person', 'people'],
  ['man', 'men'],
  ['woman', 'women'],
  ['child', 'children'],
  ['mouse', 'mice'],
  ['goose', 'geese'],
  ['foot', 'feet'],
  ['tooth', 'teeth'],
  ['ox', 'oxen'],
  ['index', 'indices'],
  ['matrix', 'matrices'],
  ['vertex', 'vertices'],
  ['quiz', 'quizzes'],
  ['status', 'statuses'],
  ['endpoints', 'endpoints'],
]);

/** Words that are the same in singular and plural (lower case). */
const UNCOUNTABLE: ReadonlySet<string> = new Set(['data', 'metadata', 'information', 'equipment', 'series', 'species', 'news', 'sheep', 'fish', 'deer', 'aircraft']);

/** Words ending in `-f`/`-fe` that take `-ves` (lower case). */
const F_TO_VES: ReadonlySet<string> = new Set(['leaf', 'loaf', 'half', 'knife', 'life', 'wife', 'wolf', 'shelf', 'thief', 'calf', 'elf', 'self']);

/** Words ending in consonant + `o` that take `-es` (others take `-s`: photos, pianos). */
const O_TO_OES: ReadonlySet<string> = new Set(['hero', 'potato', 'tomato', 'echo', 'veto', 'torpedo']);

function pluralOfWord(word: string): string {
  const irregular = IRREGULAR_PLURALS.get(word);
  if (irregular !== undefined) return irregular;
  if (UNCOUNTABLE.has(word)) return word;
  if (F_TO_VES.has(word)) return word.endsWith('fe') ? `${word.slice(0, -2)}ves` : `${word.slice(0, -1)}ves`;
  if (O_TO_OES.has(word)) return `${word}es`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/**
 * The lower-case English plural of a kind, as Kubernetes resources are named: `Policy` →
 * `policies`, `Ingress` → `ingresses`, `Gateway` → `gateways`, `NetworkProxy` → `networkproxies`.
 * Only the last word of a PascalCase kind is pluralised.
 */
export function pluralize(kind: string): string {
  const words = splitWords(kind);
  const last = words.pop();
  if (last === undefined) return '';
  return [...words, pluralOfWord(last.toLowerCase())].join('').toLowerCase();
}

/** Splits `MyHTTPRoute`, `my-http_route` or `myHttpRoute` into words: `My HTTP Route`. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** `my-web app` → `MyWebApp`; words keep their inner capitals (`HTTPRoute` stays). */
export function pascalCase(text: string): string {
  return splitWords(text)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** `MyWebApp` → `my-web-app`: the stem of a kind's file names. */
export function kebabCase(text: string): string {
  return splitWords(text)
    .map((w) => w.toLowerCase())
    .join('-');
}

/** `MyWebApp` → `myWebApp`. */
export function camelCase(text: string): string {
  const pascal = pascalCase(text);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/**
 * A valid npm package name from a folder name, the way create-vite does it: trimmed, lower case,
 * spaces to dashes, leading dots and underscores dropped, other invalid characters to dashes.
 */
export function toPackageName(folderName: string): string {
  return folderName
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^[._]/, '')
    .replace(/[^a-z\d\-~]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The project name without a trailing `-operator` / `-controller`: `webapp-operator` → `webapp`. */
export function projectStem(projectName: string): string {
  const bare = projectName.replace(/^@[^/]+\//, '');
  const stem = bare.replace(/[-_.]?(operator|controller)$/i, '');
  return stem.length > 0 ? stem : bare;
}

/**
 * Default kind of a project: PascalCase of its stem (`webapp-operator` → `Webapp`), or `Widget`
 * when that is no valid kind (`123`) or a reserved one (`list` → `List`).
 */
export function defaultKind(projectName: string): string {
  const kind = pascalCase(projectStem(projectName));
  return checkKind(kind) === undefined ? kind : 'Widget';
}

/**
 * Default group of a project: its stem as a DNS label (`webapp-operator` → `webapp`,
 * `My Cool_Op` → `my-cool-op`), else `apps`. The API group is `<group>.<domain>`.
 */
export function defaultGroup(projectName: string): string {
  const label = projectStem(projectName)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-0-9]+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label.length > 0 ? label : 'apps';
}
