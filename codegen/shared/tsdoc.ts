/**
 * Writing and reading the TSDoc comments that carry descriptions and markers, so that whatever
 * `generate types` writes, `generate crd` reads back unchanged.
 *
 * Layout: description lines first, then a blank line, then one tag per line (`@name value`).
 * Escapes (reversible): `*` + n backslashes + `/` is written with n+1 backslashes (so `*\/` stands
 * for `*` `/` and no description can close the comment); a description line whose first non-blank
 * character is `@` or `\` gets a leading `\` (so it is never read as a tag).
 * @module
 */

/** One block tag: `@name value`. `value` is `''` for a bare flag tag such as `@storageVersion`. */
export interface DocTag {
  readonly name: string;
  readonly value: string;
}

/** A parsed comment: free-text description (undefined when there is none) and block tags in order. */
export interface DocComment {
  readonly description: string | undefined;
  readonly tags: readonly DocTag[];
}

/** An empty comment. */
export const emptyDoc: DocComment = Object.freeze({ description: undefined, tags: Object.freeze([]) });

/** Whether a comment has neither a description nor tags. */
export function isEmptyDoc(doc: DocComment): boolean {
  return doc.description === undefined && doc.tags.length === 0;
}

const TAG_LINE = /^@([A-Za-z][\w.:-]*)(?:[ \t]+(.*))?$/s;

function escapeClose(line: string): string {
  if (!line.includes('*')) return line;
  return line.replace(/\*(\\*)\//g, (_m, bs: string) => `*${bs}\\/`);
}

function unescapeClose(line: string): string {
  return line.replace(/\*(\\+)\//g, (_m, bs: string) => `*${bs.slice(1)}/`);
}

function escapeDescriptionLine(line: string): string {
  const escaped = escapeClose(line);
  const first = escaped.charCodeAt(0);
  // most lines start with a printable ASCII character other than `@` and `\`: nothing to check
  if (first > 32 && first < 127 && first !== 64 && first !== 92) return escaped;
  const start = escaped.trimStart();
  return start.startsWith('@') || start.startsWith('\\') ? `\\${escaped}` : escaped;
}

/**
 * Whether a description can be written as comment text (otherwise it goes in a `@description`
 * tag as a JSON string): not empty and no line terminators other than `\n`.
 */
export function isPlainDescription(text: string): boolean {
  // three native scans, cheaper than a regular expression run once per description in a cold process
  return text !== '' && !text.includes('\r') && !text.includes('\u2028') && !text.includes('\u2029');
}

/**
 * Renders a comment with the given indentation (the indentation of the declaration it precedes).
 * Returns `''` for an empty comment. The output ends with a newline.
 */
export function renderDocComment(doc: DocComment, indent: string): string {
  if (isEmptyDoc(doc)) return '';
  // each line is `\n<indent> * <line>` (an empty one `\n<indent> *`), built in one string
  const prefix = `\n${indent} * `;
  const blank = `\n${indent} *`;
  let body = '';
  let count = 0;
  let only = '';
  const description = doc.description;
  if (description !== undefined) {
    for (let start = 0; ; ) {
      const newline = description.indexOf('\n', start);
      const line = escapeDescriptionLine(newline === -1 ? description.slice(start) : description.slice(start, newline));
      body += line === '' ? blank : prefix + line;
      only = line;
      count += 1;
      if (newline === -1) break;
      start = newline + 1;
    }
  }
  if (doc.tags.length > 0) {
    if (description !== undefined) {
      body += blank;
      count += 1;
    }
    for (const tag of doc.tags) {
      only = escapeClose(tag.value === '' ? `@${tag.name}` : `@${tag.name} ${tag.value}`);
      body += prefix + only;
      count += 1;
    }
  }
  if (count === 1 && only !== '' && only === only.trim() && !only.endsWith('*')) {
    return `${indent}/** ${only} */\n`;
  }
  return `${indent}/**${body}\n${indent} */\n`;
}

/**
 * Parses the text of a `/** ... *\/` comment into description and tags. Lines after a tag that do
 * not start a new tag continue its value (joined with `\n`), as TSDoc block tags do.
 */
export function parseDocComment(raw: string): DocComment {
  let inner = raw;
  if (inner.startsWith('/**')) inner = inner.slice(3);
  if (inner.endsWith('*/')) inner = inner.slice(0, -2);
  let lines: string[];
  if (!inner.includes('\n')) {
    let single = inner.startsWith(' ') ? inner.slice(1) : inner;
    single = single.endsWith(' ') ? single.slice(0, -1) : single;
    lines = [single];
  } else {
    const segments = inner.split('\n');
    const first = segments.shift() ?? '';
    const last = segments.pop() ?? '';
    lines = segments.map(stripLinePrefix);
    if (first.trim() !== '') lines.unshift(first.startsWith(' ') ? first.slice(1) : first);
    if (last.trim() !== '') lines.push(stripLinePrefix(last));
  }
  const descriptionLines: string[] = [];
  const tags: { name: string; value: string }[] = [];
  for (const rawLine of lines) {
    const match = rawLine.startsWith('\\') ? null : TAG_LINE.exec(rawLine.trimStart());
    if (match !== null) {
      tags.push({ name: match[1] ?? '', value: unescapeClose((match[2] ?? '').trim()) });
      continue;
    }
    const current = tags[tags.length - 1];
    if (current !== undefined) {
      const more = unescapeClose(rawLine).trim();
      if (more !== '') current.value = current.value === '' ? more : `${current.value}\n${more}`;
      continue;
    }
    const text = unescapeClose(rawLine);
    descriptionLines.push(text.startsWith('\\') ? text.slice(1) : text);
  }
  if (tags.length > 0 && descriptionLines.length > 0 && descriptionLines[descriptionLines.length - 1] === '') {
    descriptionLines.pop();
  }
  return { description: descriptionLines.length === 0 ? undefined : descriptionLines.join('\n'), tags };
}

function stripLinePrefix(line: string): string {
  const trimmed = line.replace(/^[ \t]*/, '');
  if (!trimmed.startsWith('*')) return trimmed;
  const afterStar = trimmed.slice(1);
  return afterStar.startsWith(' ') ? afterStar.slice(1) : afterStar;
}
