/**
 * The base of Opkit's yeoman generators.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Generator, { type BaseFeatures, type BaseOptions } from 'yeoman-generator';

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

  /** A project file as it is in mem-fs (or on disk); `undefined` when it does not exist. */
  readFile(file: string): string | undefined {
    const path = this.destinationPath(file);
    return this.fs.exists(path) ? this.fs.read(path) : undefined;
  }
}
