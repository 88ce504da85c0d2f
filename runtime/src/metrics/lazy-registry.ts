import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';

const requireFromHere = createRequire(import.meta.url);

/** prom-client, loaded on first use (synchronously: it is a CommonJS package). */
export function promClient(): typeof PromClient {
  return requireFromHere('prom-client') as typeof PromClient;
}

/** What registers a metric family on the registry once it exists. */
export type RegistryHook = (registry: Registry, prom: typeof PromClient) => void;

/**
 * A Prometheus registry made on first use. The runtime's metric families keep their values in
 * plain objects and only need prom-client to render them, so an operator that never serves
 * `/metrics` and never reads `registry` does not load prom-client at all (about 1.4 MiB of RSS and
 * a tenth of a second of start-up).
 *
 * Guarantees: `registry` is created once, with every hook added before run on it in order; a hook
 * added later runs at once. Given an existing registry, it is used as is.
 */
export class LazyRegistry {
  #registry: Registry | undefined;
  readonly #hooks: RegistryHook[] = [];

  /** `registry`: use this one (prom-client is then already loaded by whoever made it). */
  constructor(registry?: Registry) {
    this.#registry = registry;
  }

  /** Whether the registry exists yet (prom-client is loaded). */
  get created(): boolean {
    return this.#registry !== undefined;
  }

  /** The registry: created (and prom-client loaded) on first read. */
  get registry(): Registry {
    if (this.#registry !== undefined) return this.#registry;
    const prom = promClient();
    const registry = (this.#registry = new prom.Registry());
    for (const hook of this.#hooks.splice(0)) hook(registry, prom);
    return registry;
  }

  /** Runs `hook` on the registry: now if it exists, else when it is created. */
  onRegistry(hook: RegistryHook): void {
    if (this.#registry === undefined) this.#hooks.push(hook);
    else hook(this.#registry, promClient());
  }
}

/** A registry, or one made on first use. */
export type MetricsRegistry = Registry | LazyRegistry;

/** Runs `hook` on `target`'s registry, now or once it is created. */
export function onRegistry(target: MetricsRegistry, hook: RegistryHook): void {
  if (target instanceof LazyRegistry) target.onRegistry(hook);
  else hook(target, promClient());
}
