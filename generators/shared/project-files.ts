/**
 * The files of a project as the scaffolding steps see them, independent of yeoman: the steps
 * (generators/app/files.ts, generators/api/files.ts) read and write through {@link ProjectFiles},
 * which the yeoman generators back with their mem-fs and the non-interactive path with a
 * {@link ProjectDraft}. One implementation of the content, two ways to run it.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ejs from 'ejs';

/** A project's files: reads see this run's writes over what is on disk. Paths are relative, with `/`. */
export interface ProjectFiles {
  /** The project folder (absolute). */
  readonly root: string;
  /** The text of a file; `undefined` when it does not exist. */
  read(file: string): string | undefined;
  /** Sets the text of a file (nothing touches the disk before the run commits). */
  write(file: string, content: string): void;
}

/** Renders the ejs template `from` (relative to `templates`) with `data`. */
export function renderTemplateFile(templates: string, from: string, data: Readonly<Record<string, unknown>>): string {
  const filename = join(templates, from);
  return ejs.render(readFileSync(filename, 'utf8'), data, { filename });
}

/** The text of the template file `from` as is (a file without ejs tags). */
export function copyTemplateFile(templates: string, from: string): string {
  return readFileSync(join(templates, from), 'utf8');
}

/** How a committed file changed: yeoman's words, as the run logs them. */
export type CommitStatus = 'create' | 'update' | 'identical';

/**
 * Files written in memory over a folder on disk, committed in one step at the end: a run that
 * fails before {@link ProjectDraft.commit} leaves the disk as it was.
 */
export class ProjectDraft implements ProjectFiles {
  readonly root: string;
  readonly #written = new Map<string, string>();

  constructor(root: string) {
    this.root = root;
  }

  read(file: string): string | undefined {
    const pending = this.#written.get(file);
    if (pending !== undefined) return pending;
    const path = join(this.root, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  write(file: string, content: string): void {
    this.#written.set(file, content);
  }

  /**
   * Writes every file to disk, in the order they were first written; returns each with how it
   * changed. Each file is written to a temporary name beside it and renamed, so no file is ever
   * half-written.
   */
  commit(): Array<{ file: string; status: CommitStatus }> {
    const done: Array<{ file: string; status: CommitStatus }> = [];
    for (const [file, content] of this.#written) {
      const path = join(this.root, file);
      const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      if (before === content) {
        done.push({ file, status: 'identical' });
        continue;
      }
      mkdirSync(dirname(path), { recursive: true });
      const temp = `${path}.opkit-${process.pid}.tmp`;
      try {
        writeFileSync(temp, content);
        renameSync(temp, path);
      } catch (err) {
        rmSync(temp, { force: true });
        throw err;
      }
      done.push({ file, status: before === undefined ? 'create' : 'update' });
    }
    return done;
  }
}
