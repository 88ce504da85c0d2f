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

/** Latin spellings of Cyrillic letters (Russian, Ukrainian, Belarusian, Serbian, Bulgarian), lower case. */
const CYRILLIC_TO_LATIN: ReadonlyMap<string, string> = new Map(
  Object.entries({
    а: 'a', б: 'b', в: 'v', г: 'g', ґ: 'g', д: 'd', ђ: 'dj', е: 'e', ё: 'e', є: 'ye', ж: 'zh', з: 'z', и: 'i', і: 'i', ї: 'yi',
    й: 'y', ј: 'j', к: 'k', л: 'l', љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'c', у: 'u',
    ў: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', џ: 'dz', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  }),
);

/**
 * Latin letters for a name written in another script, where there is a common spelling: accents
 * dropped (`café` → `cafe`), Cyrillic transliterated (`мой-оператор` → `moy-operator`). Other
 * characters are kept as they are (then {@link toPackageName} drops them).
 */
export function transliterate(text: string): string {
  // Cyrillic first: NFKD would split й and ё into и/е and a mark.
  const latin = [...text.normalize('NFC')]
    .map((ch) => {
      const lower = ch.toLowerCase();
      const spelled = CYRILLIC_TO_LATIN.get(lower);
      if (spelled === undefined) return ch;
      return ch !== lower && spelled.length > 0 ? spelled.charAt(0).toUpperCase() + spelled.slice(1) : spelled;
    })
    .join('');
  return latin.normalize('NFKD').replace(/\p{M}/gu, '');
}

/**
 * A valid npm package name from a folder name, the way create-vite does it: transliterated to
 * Latin letters ({@link transliterate}), trimmed, lower case, spaces to dashes, leading dots and
 * underscores dropped, other invalid characters to dashes. `''` when nothing is left (a folder
 * named in a script without a Latin spelling here, e.g. `项目`): the caller asks for a name.
 */
export function toPackageName(folderName: string): string {
  return transliterate(folderName)
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
 * Words that say nothing about what a project operates (`my-operator`, `test-op`, `the-demo`):
 * they do not make a kind or a group.
 */
const FILLER_WORDS: ReadonlySet<string> = new Set(['my', 'our', 'the', 'a', 'an', 'new', 'test', 'demo', 'sample', 'example', 'hello', 'op', 'ops', 'k8s', 'kube', 'kubernetes']);

/** The kind used when the project name gives none. */
export const FALLBACK_KIND = 'Widget';

/** The words of a project's stem that name something (filler words dropped). */
function meaningfulWords(projectName: string): string[] {
  return splitWords(projectStem(projectName)).filter((w) => !FILLER_WORDS.has(w.toLowerCase()));
}

/**
 * Default kind of a project: PascalCase of its stem without filler words (`webapp-operator` →
 * `Webapp`, `my-cache-operator` → `Cache`), or {@link FALLBACK_KIND} when nothing is left
 * (`my-operator`, the default folder), or when that is no valid kind (`123`) or a reserved one
 * (`list` → `List`).
 */
export function defaultKind(projectName: string): string {
  const kind = pascalCase(meaningfulWords(projectName).join(' '));
  return kind.length > 0 && checkKind(kind) === undefined ? kind : FALLBACK_KIND;
}

/**
 * Default group of a project: its stem without filler words as a DNS label (`webapp-operator` →
 * `webapp`, `My Cool_Op` → `cool`), else the fallback kind in lower case (`widget`). The API
 * group is `<group>.<domain>`.
 */
export function defaultGroup(projectName: string): string {
  const label = meaningfulWords(projectName)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-0-9]+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label.length > 0 ? label : FALLBACK_KIND.toLowerCase();
}
