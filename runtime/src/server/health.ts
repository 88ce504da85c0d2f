import type { ServerResponse } from 'node:http';
import { describeError } from '../errors/opkit-error.js';
import { send, type RouteHandler } from './http.js';

/**
 * A health check: resolves (or returns) normally when healthy; throws — or returns `false` — when
 * not. controller-runtime's `healthz.Checker`.
 */
export type HealthCheck = () => void | boolean | Promise<void | boolean>;

/** The always-healthy check (controller-runtime's `healthz.Ping`). */
export const ping: HealthCheck = () => true;

/**
 * A named set of checks served Kubernetes-style (`/healthz`, `/readyz`): 200 `ok` when all pass,
 * 500 otherwise; `?verbose` lists `[+]name ok` / `[-]name failed: reason`; `/<path>/<name>` runs
 * one check; `?exclude=name` skips checks.
 *
 * Guarantees: checks run concurrently on every request; a check that throws or returns false
 * fails (its message is shown only in verbose output); an empty set is healthy.
 * Caveats: checks should be fast — a probe's timeout is the kubelet's (1 s by default).
 */
export class HealthChecks {
  readonly #checks = new Map<string, HealthCheck>();

  constructor(readonly kind: 'healthz' | 'readyz') {}

  /** Adds (or replaces) the check `name`. */
  add(name: string, check: HealthCheck): void {
    if (!/^[a-zA-Z0-9][-a-zA-Z0-9_.]*$/.test(name)) throw new TypeError(`invalid ${this.kind} check name ${JSON.stringify(name)}`);
    this.#checks.set(name, check);
  }

  /** Runs every check (or only `only`), minus `exclude`; `[name, error message or undefined]`. */
  async run(options: { only?: string; exclude?: readonly string[] } = {}): Promise<Array<[string, string | undefined]>> {
    const names = [...this.#checks.keys()].filter((n) => (options.only === undefined || n === options.only) && !options.exclude?.includes(n)).sort();
    return Promise.all(
      names.map(async (name): Promise<[string, string | undefined]> => {
        try {
          const ok = await this.#checks.get(name)?.();
          return [name, ok === false ? 'check returned false' : undefined];
        } catch (err) {
          return [name, describeError(err)];
        }
      }),
    );
  }

  /** The route handler for `/<kind>` and `/<kind>/` (register it under both). */
  handler(): RouteHandler {
    return async (req, res, query) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const only = path.startsWith(`/${this.kind}/`) ? decodeURIComponent(path.slice(this.kind.length + 2)) : undefined;
      if (only !== undefined && only !== '' && !this.#checks.has(only)) return send(res, 404, `no ${this.kind} check named ${only}\n`);
      const results = await this.run({ ...(only ? { only } : {}), exclude: query.getAll('exclude') });
      this.#answer(res, results, query.has('verbose'), only);
    };
  }

  #answer(res: ServerResponse, results: Array<[string, string | undefined]>, verbose: boolean, only: string | undefined): void {
    const failed = results.filter(([, err]) => err !== undefined);
    if (only) return send(res, failed.length ? 500 : 200, failed.length ? `internal server error: ${failed[0]?.[1] ?? ''}\n` : 'ok');
    if (failed.length === 0 && !verbose) return send(res, 200, 'ok');
    const lines = results.map(([name, err]) => (err === undefined ? `[+]${name} ok` : verbose ? `[-]${name} failed: ${err}` : `[-]${name} failed: reason withheld`));
    lines.push(failed.length ? `${this.kind} check failed` : `${this.kind} check passed`);
    send(res, failed.length ? 500 : 200, `${lines.join('\n')}\n`);
  }
}
