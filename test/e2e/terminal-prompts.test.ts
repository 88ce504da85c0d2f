/**
 * The interactive commands in a real terminal: the built CLIs run under a pseudo-terminal
 * (util-linux `script`), answered keystroke by keystroke as a person would. Covers what the
 * in-process prompt tests cannot: inquirer's own validation loop, the summary on screen, and
 * Ctrl-C (exit 130, no message, nothing written). Needs `npm run build` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CREATE_OPERATOR = join(ROOT, 'dist', 'cli', 'create-operator.js');
const OPKIT = join(ROOT, 'dist', 'cli', 'opkit.js');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-tty-'));
/** How long one screen may take to appear on a loaded machine (yeoman loads on the first). */
const SCREEN_MS = 90_000;

beforeAll(() => {
  if (!existsSync(CREATE_OPERATOR)) throw new Error(`${CREATE_OPERATOR} is missing: run npm run build first`);
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (script.status !== 0) throw new Error('these tests need util-linux `script` (a pseudo-terminal): apt-get install util-linux');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shellQuote(arg: string): string {
  return `'${arg.split("'").join(`'\\''`)}'`;
}

/** A command running in a pseudo-terminal, with its screen output as text (escapes removed). */
class Terminal {
  readonly #child: ChildProcess;
  #raw = '';
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string) {
    // A wide terminal: prompts and messages are not wrapped.
    const command = `stty cols 240 rows 60; exec ${[process.execPath, ...args].map(shellQuote).join(' ')}`;
    this.#child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'xterm', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    this.#child.stdout?.on('data', (c: Buffer) => (this.#raw += c.toString('utf8')));
    this.#child.stderr?.on('data', (c: Buffer) => (this.#raw += c.toString('utf8')));
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  /** The exit code; fails with the screen when the command has not exited after a deadline. */
  async exitCode(): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running; the screen:\n${this.screen.slice(-3000)}`)), SCREEN_MS);
    });
    try {
      return await Promise.race([this.#exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Everything shown so far, without terminal escapes. */
  get screen(): string {
    // eslint-disable-next-line no-control-regex
    return this.#raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  }

  /**
   * Resolves once `text` has been shown after position `from`, with the position after it; fails
   * with the screen after a deadline.
   */
  async waitFor(text: string | RegExp, from = 0): Promise<number> {
    const deadline = performance.now() + SCREEN_MS;
    for (;;) {
      const shown = this.screen.slice(from);
      const match = typeof text === 'string' ? (shown.includes(text) ? { index: shown.indexOf(text), length: text.length } : undefined) : (() => {
        const m = text.exec(shown);
        return m === null ? undefined : { index: m.index, length: m[0].length };
      })();
      if (match !== undefined) return from + match.index + match.length;
      if (performance.now() > deadline || this.#child.exitCode !== null) {
        throw new Error(`never shown: ${String(text)}; the screen:\n${this.screen.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Types `keys` (`\r` is Enter, `\x03` is Ctrl-C). */
  type(keys: string): void {
    this.#child.stdin?.write(keys);
  }

  /** Answers the prompt showing `question` with `keys`; returns where it was shown. */
  async answer(question: string | RegExp, keys: string, from = 0): Promise<number> {
    const at = await this.waitFor(question, from);
    this.type(keys);
    return at;
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

describe('create-operator in a terminal', () => {
  test('refuses a non-empty folder at the first prompt and asks again; Ctrl-C then exits 130 quietly, writing nothing', async () => {
    const cwd = join(tmp, 'ctrl-c');
    mkdirSync(join(cwd, 'occupied'), { recursive: true });
    writeFileSync(join(cwd, 'occupied', 'notes.txt'), 'mine\n');
    const term = new Terminal([CREATE_OPERATOR, '--skip-install', '--skip-git'], cwd);
    try {
      await term.answer('Project folder', 'occupied\r');
      const refused = await term.waitFor(/target folder .*occupied is not empty \(notes\.txt\); choose a new folder/);
      term.type('\x03');
      expect(await term.exitCode()).toBe(130);
      const after = term.screen.slice(refused);
      expect(after).not.toMatch(/error|An error occured|ExitPromptError|at .*\.js:\d+/i);
      expect(readdirSync(cwd)).toEqual(['occupied']);
    } finally {
      term.kill();
    }
  });

  test('Enter through every prompt shows the summary, then writes a Widget project', async () => {
    const cwd = join(tmp, 'enter');
    mkdirSync(cwd);
    const term = new Terminal([CREATE_OPERATOR, '--skip-install', '--skip-git'], cwd);
    try {
      let at = await term.answer('Project folder', '\r');
      for (const question of ['? Domain of your API groups', '? API group (<group>.example.com)', '? API version', '? Kind (PascalCase)', '? Plural', 'cluster-scoped?']) {
        at = await term.answer(question, '\r', at);
      }
      await term.answer('Write these 24 files?', 'y\r', at);
      expect(await term.exitCode()).toBe(0);
      const screen = term.screen;
      expect(screen).toMatch(/kind +Widget \(widget\.example\.com\/v1alpha1, plural widgets, namespaced\)/);
      expect(screen).toContain('create  config/crd/widget.example.com_widgets.yaml');
      expect(screen).toContain('Created my-operator: kind Widget');
      expect(existsSync(join(cwd, 'my-operator', 'config', 'crd', 'widget.example.com_widgets.yaml'))).toBe(true);
    } finally {
      term.kill();
    }
  });
});

describe('opkit create api in a terminal', () => {
  test('asks for the flags that are missing, shows the summary, and adds the kind', async () => {
    const cwd = join(tmp, 'api');
    mkdirSync(cwd);
    const scaffold = spawnSync(process.execPath, [CREATE_OPERATOR, 'site-operator', '--yes', '--skip-install', '--skip-git'], { cwd, encoding: 'utf8' });
    expect(scaffold.status, scaffold.stderr).toBe(0);
    const project = join(cwd, 'site-operator');
    const term = new Terminal([OPKIT, 'create', 'api', '--version', 'v1'], project);
    try {
      let at = await term.answer('? API group (<group>.example.com)', 'web.example.com\r');
      at = await term.answer('? Kind (PascalCase)', 'website\r', at);
      at = await term.answer(/kind "website" is not PascalCase/, '\x15Website\r', at);
      at = await term.answer('? Plural', '\r', at);
      at = await term.answer('cluster-scoped?', '\r', at);
      await term.waitFor('Write these', at);
      expect(term.screen).toMatch(/kind +Website \(web\.example\.com\/v1, plural websites, namespaced\)/);
      expect(term.screen).toContain('update  src/main.ts');
      term.type('y\r');
      expect(await term.exitCode()).toBe(0);
      expect(term.screen).toContain('Added Website (web.example.com/v1)');
      expect(existsSync(join(project, 'config', 'crd', 'web.example.com_websites.yaml'))).toBe(true);
    } finally {
      term.kill();
    }
  });
});
