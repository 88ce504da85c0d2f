/**
 * The tutorial's files (test/fixtures/tutorial/): regions for docs/tutorial.md, and the files as a
 * reader ends up with them, for the e2e test that builds and tests them in a scaffolded project.
 *
 * A region is the lines between `// #region <name>` and `// #endregion <name>` (`#` comments in
 * YAML); the marker lines belong to no region and are not written into the project.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The folder of the tutorial's files; paths below it are project-relative. */
export const TUTORIAL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'tutorial');

const MARKER = /^\s*(?:\/\/|#) #(end)?region(?: (\S+))?\s*$/;

/** Every file under {@link TUTORIAL_FIXTURES} (absolute paths), sorted. */
export function fixtureFiles(dir: string = TUTORIAL_FIXTURES): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? fixtureFiles(path) : [path];
    });
}

/** The names of the regions in `text`, in order. */
export function regionsOf(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const m = MARKER.exec(line);
    return m !== null && m[1] === undefined && m[2] !== undefined ? [m[2]] : [];
  });
}

/** `text` without region markers: the file as a reader writes it. */
export function withoutMarkers(text: string): string {
  return text
    .split('\n')
    .filter((line) => !MARKER.test(line))
    .join('\n');
}

/**
 * Region `region` of `file` (without the markers), or the whole file without markers and without
 * its final newline when `region` is undefined.
 * @throws Error when the region is missing, empty or not closed.
 */
export function readRegion(file: string, region: string | undefined): string {
  const text = readFileSync(file, 'utf8');
  if (region === undefined) return withoutMarkers(text).replace(/\n$/, '');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => MARKER.exec(l)?.[2] === region && MARKER.exec(l)?.[1] === undefined);
  const end = lines.findIndex((l, i) => i > start && MARKER.exec(l)?.[1] === 'end' && MARKER.exec(l)?.[2] === region);
  if (start < 0 || end < 0) throw new Error(`${file}: region ${region} is missing or not closed`);
  const body = lines.slice(start + 1, end).filter((l) => !MARKER.test(l));
  if (body.length === 0) throw new Error(`${file}: region ${region} is empty`);
  return body.join('\n');
}

/** The tutorial's files as the reader ends up with them: project-relative path → content. */
export function tutorialFiles(): Map<string, string> {
  return new Map(fixtureFiles().map((file) => [relative(TUTORIAL_FIXTURES, file).split('\\').join('/'), withoutMarkers(readFileSync(file, 'utf8'))]));
}
