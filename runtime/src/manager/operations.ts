import type { AddressInfo } from 'node:net';
import type { Client } from '../client/client.js';
import { EventBroadcaster, type EventBroadcasterOptions } from '../events/recorder.js';
import { LeaseElector } from '../leader/elector.js';
import { LeaderElectionError, type LeaderElectionLostError } from '../leader/errors.js';
import type { Logger } from '../log/logger.js';
import { OperatorMetrics } from '../metrics/metrics.js';
import { HealthChecks, ping } from '../server/health.js';
import { HttpEndpoint, parseBindAddress, send, type RouteHandler } from '../server/http.js';
import type { Clock } from '../util/clock.js';
import { alwaysLeader, type LeaderElector } from '../lifecycle/runnable.js';

/**
 * Lease-based leader election settings (`new Manager({ leaderElection: { name: 'my-op-lock' } })`);
 * defaults are client-go's. See `LeaseElector`.
 */
export interface LeaderElectionConfig {
  /** Name of the `coordination.k8s.io/v1` Lease. */
  readonly name: string;
  /** Namespace of the Lease (default: the manager's `namespace`; required when that is unset). */
  readonly namespace?: string;
  /** Unique identity of this replica (default `<hostname>_<uuid>`). */
  readonly identity?: string;
  /** Default 15 000 ms. */
  readonly leaseDurationMs?: number;
  /** Default 10 000 ms; the leader stops leading when it could not renew for this long. */
  readonly renewDeadlineMs?: number;
  /** Default 2 000 ms. */
  readonly retryPeriodMs?: number;
  /** Default 1.2 (client-go's); 0 makes candidates retry exactly every retry period. */
  readonly jitterFactor?: number;
  /** Release the lease on graceful shutdown so a successor takes over at once (default true). */
  readonly releaseOnCancel?: boolean;
  /**
   * Called synchronously when leadership is lost. Default: none — `mgr.start()` then rejects with
   * a `LeaderElectionLostError` after stopping (so the process exits non-zero and Kubernetes
   * restarts it, as controller-runtime does). Pass `() => process.exit(1)` to exit at once.
   */
  readonly onLostLeadership?: (error: LeaderElectionLostError) => void;
}

/** The manager's operational options. */
export interface OperationsOptions {
  /**
   * Leader election for runnables with `needLeaderElection` (controllers by default): a
   * {@link LeaderElectionConfig} (a Lease), or any {@link LeaderElector} (default
   * {@link alwaysLeader}: every replica leads).
   */
  readonly leaderElection?: LeaderElector | LeaderElectionConfig;
  /** Where `/metrics` is served, controller-runtime style: `':8080'`, `'127.0.0.1:0'`; `'0'` disables (default `'0'`). */
  readonly metricsBindAddress?: string;
  /** Where `/healthz` and `/readyz` are served: `':8081'`; `'0'` disables (default `'0'`). */
  readonly healthProbeBindAddress?: string;
  /** Tuning of the events broadcaster (series aggregation periods, reporting instance). */
  readonly events?: Omit<EventBroadcasterOptions, 'client' | 'clock' | 'logger'>;
}

/**
 * The manager's operational parts: metrics registry and sinks, leader elector, health and
 * readiness checks, events broadcaster, and the HTTP endpoints that serve them.
 *
 * Guarantees: the endpoints listen before the caches start (so `/readyz` answers 500 until they
 * have synced, and `/healthz` answers at once); `close()` releases the ports.
 * @internal owned by the Manager.
 */
export class ManagerOperations {
  readonly metrics: OperatorMetrics;
  readonly elector: LeaderElector;
  /** The Lease elector, when leader election is configured with a {@link LeaderElectionConfig}. */
  readonly leaseElector: LeaseElector | undefined;
  readonly healthz = new HealthChecks('healthz');
  readonly readyz = new HealthChecks('readyz');
  readonly events: EventBroadcaster;
  readonly #endpoints: { metrics?: HttpEndpoint; probes?: HttpEndpoint } = {};
  #synced = false;

  /** @throws ServerError `InvalidBindAddress`; LeaderElectionError `InvalidConfig`. */
  constructor(o: { options: OperationsOptions; client: Client; clock: Clock; logger: Logger; namespace: string | undefined; metrics?: OperatorMetrics }) {
    const { options } = o;
    this.metrics = o.metrics ?? new OperatorMetrics();
    const le = options.leaderElection;
    if (le !== undefined && !('run' in le)) {
      const namespace = le.namespace ?? o.namespace;
      if (!namespace) throw new LeaderElectionError({ reason: 'InvalidConfig', message: 'leaderElection.namespace is required when the manager has no namespace' });
      this.leaseElector = new LeaseElector({ ...le, namespace, client: o.client, clock: o.clock, logger: o.logger, metrics: this.metrics.leaderElection });
    } else {
      this.leaseElector = undefined;
    }
    this.elector = le === undefined ? alwaysLeader : (this.leaseElector ?? (le as LeaderElector));
    this.events = new EventBroadcaster({ ...options.events, client: o.client, clock: o.clock, logger: o.logger });
    this.healthz.add('ping', ping);
    this.readyz.add('informer-sync', () => {
      if (!this.#synced) throw new Error('caches have not synced yet');
    });
    const metricsBind = parseBindAddress(options.metricsBindAddress ?? '0');
    const probesBind = parseBindAddress(options.healthProbeBindAddress ?? '0');
    if (metricsBind) {
      const serveMetrics: RouteHandler = async (_req, res) => send(res, 200, await this.metrics.scrape(), this.metrics.registry.contentType);
      this.#endpoints.metrics = new HttpEndpoint({ bind: metricsBind, routes: new Map([['/metrics', serveMetrics]]) });
    }
    if (probesBind) {
      const routes = new Map<string, RouteHandler>();
      for (const checks of [this.healthz, this.readyz]) {
        routes.set(`/${checks.kind}`, checks.handler());
        routes.set(`/${checks.kind}/`, checks.handler());
      }
      this.#endpoints.probes = new HttpEndpoint({ bind: probesBind, routes });
    }
  }

  /** Whether leader-elected work may run now (checks the Lease elector's renew deadline). */
  leaderGate(): boolean {
    return this.leaseElector === undefined || this.leaseElector.isLeading();
  }

  /** Whether writes through `mgr.client` are allowed (false once leadership was lost). */
  mayWrite(): boolean {
    return this.leaseElector === undefined || this.leaseElector.mayWrite();
  }

  /** Marks the caches synced: `/readyz` turns ready. */
  markSynced(): void {
    this.#synced = true;
  }

  /** Starts the endpoints. @throws ServerError `ListenFailed`. */
  async listen(): Promise<void> {
    await Promise.all([this.#endpoints.metrics?.listen(), this.#endpoints.probes?.listen()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#endpoints.metrics?.close(), this.#endpoints.probes?.close()]);
  }

  /** Where `/metrics` listens (undefined when disabled or not started). */
  metricsAddress(): AddressInfo | undefined {
    return this.#endpoints.metrics?.address();
  }

  /** Where `/healthz` and `/readyz` listen (undefined when disabled or not started). */
  healthProbeAddress(): AddressInfo | undefined {
    return this.#endpoints.probes?.address();
  }
}
