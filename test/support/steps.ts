/** Timed steps of an end-to-end test: commands run to completion, their durations reported once. */
import { spawnSync } from 'node:child_process';

/** Runs the commands of one e2e file and keeps how long each step took. */
export interface StepRunner {
  /** Runs `command` to completion in `cwd`; throws with the step, exit code and output's tail when it exits non-zero. */
  run(step: string, command: string, args: readonly string[], cwd: string, timeoutMs?: number): string;
  /** Records a step timed by the caller (e.g. a long-running child). */
  record(step: string, ms: number): void;
  /** The steps' durations and their total, one line each, under `title`. */
  report(title: string): string;
}

/** A {@link StepRunner} whose commands run with CI=true and no colours, on top of `process.env`. */
export function stepRunner(): StepRunner {
  const timings: Array<[string, number]> = [];
  return {
    run(step, command, args, cwd, timeoutMs = 600_000) {
      const start = performance.now();
      const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' } });
      timings.push([step, performance.now() - start]);
      // eslint-disable-next-line no-control-regex
      const output = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      if (result.status !== 0) {
        throw new Error(`${step} failed (${command} ${args.join(' ')}, exit ${String(result.status)}${result.error ? `, ${result.error.message}` : ''}):\n${output.slice(-6000)}`);
      }
      return output;
    },
    record(step, ms) {
      timings.push([step, ms]);
    },
    report(title) {
      const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
      return [title, ...timings.map(([step, ms]) => `  ${step}: ${(ms / 1000).toFixed(1)} s`), `  total: ${(total / 1000).toFixed(1)} s`].join('\n');
    },
  };
}
