/**
 * Runs Opkit's yeoman generators in a yeoman environment, non-interactively unless asked:
 * conflicts are settled before the run (the generators refuse what they would overwrite without
 * `--force`), so the environment commits without asking; installing is left to the caller.
 * @module
 */
import { Console } from 'node:console';
import { format } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import type { InputOutputAdapter } from '@yeoman/types';
import type { AppInputs } from './app/index.js';
import type { ApiInputs } from './api/index.js';
import type { WebhookInputs } from './webhook/index.js';
import { ScaffoldError } from './shared/errors.js';

/** Where a generator run reads and writes. */
export interface GeneratorIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Which generator to run, with its options. */
export type GeneratorRun =
  | { readonly generator: 'app'; readonly options: AppInputs }
  | { readonly generator: 'api'; readonly options: ApiInputs }
  | { readonly generator: 'webhook'; readonly options: WebhookInputs };

/**
 * Whether `err` is inquirer's answer to Ctrl-C at a prompt. Inquirer documents matching its
 * errors by `name` (`ExitPromptError`); its classes are not part of yeoman's API.
 */
function isPromptExit(err: unknown): boolean {
  return err instanceof Error && err.name === 'ExitPromptError';
}

/**
 * Runs one generator in a fresh environment rooted at `cwd` and resolves when its files are on
 * disk. Rejects with the first error of any task; then nothing has been written (the commit to
 * disk is the environment's last task). Prompts go through `adapter` (default: a terminal adapter
 * on `io`; tests pass yeoman's TestAdapter with mocked answers).
 *
 * Guarantees: yeoman's own failure line (`An error occured while running …`) is not printed —
 * the caller reports the rejection once, in its own words; Ctrl-C at a prompt rejects with a
 * {@link ScaffoldError} `Cancelled`.
 */
export async function runGenerator(run: GeneratorRun, cwd: string, io: GeneratorIo, adapter?: InputOutputAdapter): Promise<void> {
  const [{ createEnv }, { TerminalAdapter, createLogger }, app, api] = await Promise.all([
    import('yeoman-environment'),
    import('@yeoman/adapter'),
    import('./app/index.js'),
    import('./api/index.js'),
  ]);
  if (adapter === undefined) {
    const streams = {
      stdin: io.stdin as NodeJS.ReadStream,
      stdout: io.stdout as NodeJS.WriteStream,
      // yeoman logs progress (`create <file>`) on the error stream; it is not an error: show it on stdout.
      stderr: io.stdout as NodeJS.WriteStream,
      console: new Console(io.stdout, io.stdout),
    };
    const log = createLogger(streams);
    // Every error rejects the run and the caller reports it; yeoman's extra line is noise.
    log.error = () => log;
    // A changed file is shown as `update`, the word of the summary (`force` is yeoman's: it was told
    // to write without asking, since the generators refuse what they must not overwrite).
    log.force = (...args: unknown[]) => log.write(`${'update'.padStart('identical'.length)} ${format(...args)}\n`);
    adapter = new TerminalAdapter({ ...streams, log });
  }
  const env = createEnv({ cwd, logCwd: cwd, adapter, force: true, skipInstall: true });
  env.register(app.AppGenerator, { namespace: 'opkit:app', resolved: app.APP_GENERATOR_PATH });
  env.register(api.ApiGenerator, { namespace: 'opkit:api', resolved: api.API_GENERATOR_PATH });
  if (run.generator === 'webhook') {
    // only `opkit create webhook` loads it (create-operator's start-up does not pay for it)
    const webhook = await import('./webhook/index.js');
    env.register(webhook.WebhookGenerator, { namespace: 'opkit:webhook', resolved: webhook.WEBHOOK_GENERATOR_PATH });
  }
  const options = { ...run.options, skipInstall: true, skipCheckEnv: true };
  try {
    await env.run([`opkit:${run.generator}`], options);
  } catch (err) {
    if (isPromptExit(err)) throw new ScaffoldError({ reason: 'Cancelled', message: 'cancelled at a prompt; nothing was written', cause: err });
    throw err;
  }
}
