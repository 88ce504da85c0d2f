import { InvalidSelectorError } from './errors.js';

/** One requirement of a label selector, in Kubernetes' grammar. */
export type LabelRequirement =
  | { readonly key: string; readonly op: 'exists' | '!exists' }
  | { readonly key: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: ReadonlySet<string> }
  | { readonly key: string; readonly op: '>' | '<'; readonly value: number };

/** A parsed label selector. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** Whether `labels` satisfy every requirement (an empty selector matches everything). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** One `field=value` / `field!=value` requirement of a field selector. */
export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

type Token = { kind: 'op'; text: string } | { kind: 'word'; text: string };

const SPECIAL = new Set(['(', ')', ',', '=', '!', '<', '>']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '!' || ch === '=') {
      const two = input.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', text: ch });
        i++;
      }
    } else if (SPECIAL.has(ch)) {
      tokens.push({ kind: 'op', text: ch });
      i++;
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j] as string) && !/\s/.test(input[j] as string)) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

function requirementMatches(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && value === req.value;
    case '!=':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.has(value as string);
    case 'notin':
      return !has || !req.values.has(value as string);
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      return req.op === '>' ? n > req.value : n < req.value;
    }
  }
}

function selectorOf(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    matches(labels) {
      const set = labels ?? {};
      return requirements.every((r) => requirementMatches(r, set));
    },
  };
}

/**
 * Parses a label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`,
 * `a>1`, `a<1`, joined by commas; or an equality map.
 *
 * Guarantees: Kubernetes semantics (`!=` and `notin` also match objects without the label).
 * @throws InvalidSelectorError naming the selector and what is wrong.
 */
export function parseLabelSelector(selector: string | Readonly<Record<string, string>> | undefined): LabelSelector {
  if (selector === undefined) return selectorOf([]);
  if (typeof selector !== 'string') return selectorOf(Object.entries(selector).map(([key, value]) => ({ key, op: '=', value })));
  const tokens = tokenize(selector);
  let pos = 0;
  const fail = (detail: string): never => {
    throw new InvalidSelectorError({ selector, detail });
  };
  const peek = (): Token | undefined => tokens[pos];
  const word = (what: string): string => {
    const t = tokens[pos];
    if (t?.kind !== 'word') return fail(`expected ${what} at token ${pos + 1}`);
    pos++;
    return t.text;
  };
  const atEnd = (): boolean => pos >= tokens.length || peek()?.text === ',';
  const requirements: LabelRequirement[] = [];
  while (pos < tokens.length) {
    if (peek()?.kind === 'op' && peek()?.text === '!') {
      pos++;
      requirements.push({ key: word('a label key after "!"'), op: '!exists' });
    } else {
      const key = word('a label key');
      const t = peek();
      if (atEnd()) requirements.push({ key, op: 'exists' });
      else if (t?.text === '=' || t?.text === '==' || t?.text === '!=') {
        pos++;
        const value = atEnd() ? '' : word(`a value for "${key}"`);
        requirements.push({ key, op: t.text === '!=' ? '!=' : '=', value });
      } else if (t?.kind === 'word' && (t.text === 'in' || t.text === 'notin')) {
        pos++;
        if (peek()?.text !== '(') fail(`expected "(" after "${key} ${t.text}"`);
        pos++;
        const values = new Set<string>();
        while (peek()?.text !== ')') {
          if (pos >= tokens.length) fail(`missing ")" in "${key} ${t.text}"`);
          if (peek()?.text === ',') pos++;
          else values.add(word(`a value in "${key} ${t.text} (…)"`));
        }
        pos++;
        requirements.push({ key, op: t.text, values });
      } else if (t?.text === '>' || t?.text === '<') {
        pos++;
        const raw = word(`a number after "${key} ${t.text}"`);
        if (!/^-?\d+$/.test(raw)) fail(`"${raw}" is not an integer`);
        requirements.push({ key, op: t.text, value: Number(raw) });
      } else {
        fail(`unexpected "${t?.text ?? ''}" after "${key}"`);
      }
    }
    if (pos < tokens.length) {
      if (peek()?.text !== ',') fail(`expected "," at token ${pos + 1}`);
      pos++;
      if (pos >= tokens.length) fail('trailing ","');
    }
  }
  return selectorOf(requirements);
}

function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + (input[i + 1] as string);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

const unescape = (text: string): string => text.replace(/\\(.)/g, '$1');

/**
 * Parses a field selector (`a=b,c!=d`, `==` allowed, `\,` `\=` `\\` escapes) or an equality map.
 * @throws InvalidSelectorError for a requirement without an operator or field.
 */
export function parseFieldSelector(selector: string | Readonly<Record<string, string>> | undefined): FieldRequirement[] {
  if (selector === undefined) return [];
  if (typeof selector !== 'string') return Object.entries(selector).map(([field, value]) => ({ field, op: '=', value }));
  if (selector.trim() === '') return [];
  return splitUnescaped(selector, ',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(!=|==|=)(.*)$/s.exec(part);
    if (!m) throw new InvalidSelectorError({ selector, detail: `"${part}" is not field=value or field!=value` });
    return { field: m[1] as string, op: m[2] === '!=' ? '!=' : '=', value: unescape((m[3] as string).trim()) };
  });
}
