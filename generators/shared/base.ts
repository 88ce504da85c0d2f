/**
 * The base of Opkit's yeoman generators.
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Generator, { type BaseFeatures, type BaseOptions } from 'yeoman-generator';
import { ScaffoldError } from './errors.js';
import type { ProjectFiles } from './project-files.js';
import { formatSummary, plannedFiles, type PlannedFile } from './summary.js';

/** A check of a prompt's answer: `undefined` when valid, else a message (or an object with one). */
export type AnswerCheck = (value: string) => string | undefined | { readonly message: string };

/** Turns a check into an inquirer `validate` (inquirer shows the message and asks again). */
function validator(check: AnswerCheck): (value: string) => true | string {
  return (value) => {
    const problem = check(String(value).trim());
    return problem === undefined ? true : typeof problem === 'string' ? problem : problem.message;
  };
}

/**
 * A yeoman generator that never touches the disk before the commit: yeoman's `destinationRoot()`
 * creates the folder at once; here a folder that does not exist yet is only remembered, and
 * mem-fs creates it when the files are committed (so invalid input leaves no empty folder).
 */
export class OpkitGenerator<O extends BaseOptions> extends Generator<Record<string, never>, O> {
  /** `customInstallTask`: installing is the CLI's job (with progress), never the environment's. */
  constructor(args: string[], options: O, features: BaseFeatures = {}) {
    super(args, options, { customInstallTask: true, ...features });
  }

  override destinationRoot(rootPath?: string): string {
    if (typeof rootPath === 'string' && !existsSync(rootPath)) {
      this._destinationRoot = resolve(rootPath);
      return this._destinationRoot;
    }
    return super.destinationRoot(rootPath);
  }

  /** The project's files as this run sees them (mem-fs over the disk), for the shared content steps. */
  projectFiles(): ProjectFiles {
    return { root: this.destinationRoot(), read: (file) => this.readFile(file), write: (file, content) => this.fs.write(this.destinationPath(file), content) };
  }

  /** A project file as it is in mem-fs (or on disk); `undefined` when it does not exist. */
  readFile(file: string): string | undefined {
    const path = this.destinationPath(file);
    return this.fs.exists(path) ? this.fs.read(path) : undefined;
  }

  /**
   * Asks for one value (an input prompt named `name`) and checks the answer again after the
   * prompt (inquirer re-asks on a failed `validate`; an adapter that does not run it still gets
   * the error). `fallback` is offered as the default; without one the answer is required.
   * @throws ScaffoldError `reason` with the check's message when the answer is invalid.
   */
  async askValue(question: { name: string; message: string; fallback?: string | undefined; check: AnswerCheck; reason: ScaffoldError['reason'] }): Promise<string> {
    const { name, message, fallback, check, reason } = question;
    const answers = await this.prompt<Record<string, unknown>>([{ type: 'input', name, message, default: fallback, validate: validator(check) }]);
    const raw = answers[name];
    const value = (typeof raw === 'string' && raw.trim() !== '' ? raw : (fallback ?? '')).trim();
    const problem = check(value);
    if (problem !== undefined) throw new ScaffoldError({ reason, message: typeof problem === 'string' ? problem : problem.message });
    return value;
  }

  /** Asks a yes/no question (a confirm prompt named `name`). */
  async askYesNo(name: string, message: string, fallback: boolean): Promise<boolean> {
    const answers = await this.prompt<Record<string, unknown>>([{ type: 'confirm', name, message, default: fallback }]);
    const value = answers[name];
    return typeof value === 'boolean' ? value : fallback;
  }

  /** The files this run has rendered into mem-fs and would commit, relative to the destination. */
  plannedFiles(): PlannedFile[] {
    const root = this.destinationRoot();
    const dump = this.fs.dump(root, (file) => file.state === 'modified');
    return plannedFiles(
      Object.entries(dump).map(([path, file]) => [join(root, path), file.contents ?? ''] as const),
      root,
    );
  }

  /**
   * Shows what the run will write (the `facts`, then every file) and asks to go on (a confirm named
   * `write`, default yes). Run in the `conflicts` priority: after every generator rendered, before
   * the environment commits.
   * @throws ScaffoldError `Declined` when the answer is no: then nothing is written.
   */
  async confirmWrite(heading: string, facts: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const files = this.plannedFiles();
    this.log(`\n${formatSummary(heading, facts, files)}\n`);
    if (!(await this.askYesNo('write', `Write ${files.length === 1 ? 'this file' : `these ${files.length} files`}?`, true))) {
      throw new ScaffoldError({ reason: 'Declined', message: 'nothing was written (the summary was not confirmed); run the command again to change the answers' });
    }
  }
}
