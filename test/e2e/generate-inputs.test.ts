/**
 * The built `opkit generate types` on malformed and hostile inputs, run as a user runs it
 * (`node dist/cli/opkit.js`, in a temp project): each exits 1 with a message naming the file and
 * the fix, writes nothing, and stays under 300 MB (max RSS of the child, from
 * `process.resourceUsage()` at exit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdWithSchema, hostileInputs, largeCrd } from '../fixtures/codegen/hostile-inputs.js';

const cli = resolve(import.meta.dirname, '../../dist/cli/opkit.js');
const MAX_RSS_KB = 300 * 1024;
/** Prints the child's peak RSS (KiB) as the last stderr line, whatever way it exits normally. */
const REPORT_RSS = 'data:text/javascript,process.on("exit",()=>{process.stderr.write("\\nmax-rss-kb="+process.resourceUsage().maxRSS+"\\n")})';

let project: string;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly maxRssKb: number;
}

function opkit(args: readonly string[]): Run {
  const child = spawnSync(process.execPath, ['--import', REPORT_RSS, cli, ...args], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  const match = /\nmax-rss-kb=(\d+)\n$/.exec(child.stderr);
  return { status: child.status, stdout: child.stdout, stderr: match === null ? child.stderr : child.stderr.slice(0, match.index), maxRssKb: match === null ? Number.NaN : Number(match[1]) };
}

beforeAll(async () => {
  expect(existsSync(cli), `${cli} is missing: run npm run build first`).toBe(true);
  project = await mkdtemp(join(tmpdir(), 'opkit-generate-inputs-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'demo', private: true, opkit: { domain: 'example.com' } }));
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('opkit generate types on malformed input (built CLI, temp project)', () => {
  for (const input of hostileInputs()) {
    it(`${input.name}: exits 1 naming the file and the fix, writes nothing, stays under 300 MB`, async () => {
      const file = join(project, 'config', input.name);
      await writeFile(join(project, 'good.yaml'), crdWithSchema('        type: object\n', 'gadgets.example.com').replace(/Widget/g, 'Gadget').replace('widgets', 'gadgets'));
      await mkdir(join(project, 'config'), { recursive: true });
      await writeFile(file, input.text);
      // a good input first: nothing of it may be written either
      const run = opkit(['generate', 'types', 'good.yaml', `config/${input.name}`]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr.startsWith(`error: config/${input.name}`), run.stderr).toBe(true);
      expect(run.stderr).toMatch(input.expect);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(project, 'src'))).toBe(false);
      expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
    });
  }

  it('refuses a file over the size limit before reading it, naming the limit and the flag that raises it', async () => {
    await writeFile(join(project, 'big.yaml'), largeCrd(3 * 1024 * 1024));
    const run = opkit(['generate', 'types', 'big.yaml', '--max-input-size', '2']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: big\.yaml: the file is 3 MiB, over the 2 MiB input limit; .*split the file, or raise the limit with --max-input-size <MiB>\n$/);
    expect(existsSync(join(project, 'src'))).toBe(false);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
  });

  it('generates a large valid CRD into the project src/api when --out is not given', async () => {
    await writeFile(join(project, 'big.yaml'), largeCrd(3 * 1024 * 1024));
    const run = opkit(['generate', 'types', 'big.yaml']);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(project, 'src', 'api', 'example.com', 'v1'))).toEqual(['index.ts']);
  });
});
