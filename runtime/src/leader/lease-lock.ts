import { Lease } from '../api/builtins.js';
import type { Client } from '../client/client.js';
import { formatMicroTime, parseTime } from '../util/time-format.js';

/**
 * client-go's `LeaderElectionRecord`: what a `coordination.k8s.io/v1` Lease's spec holds, with
 * times as epoch milliseconds. An empty `holderIdentity` means "released".
 */
export interface LeaderElectionRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: number;
  readonly renewTime: number;
  readonly leaseTransitions: number;
}

/** A record as read: the record, and its raw serialized form for change detection. */
export interface ObservedLease {
  readonly record: LeaderElectionRecord;
  /** The spec as JSON; two reads with equal `raw` saw the same record. */
  readonly raw: string;
}

/**
 * A Lease-backed resource lock (client-go's `LeaseLock`): reads, creates and updates one Lease.
 *
 * Guarantees: `update` sends the last Lease this lock read or wrote, with its `resourceVersion`,
 * so a concurrent writer makes it fail with a 409 Conflict (optimistic concurrency) — it never
 * overwrites a record it has not seen. Times are written as MicroTime (`…05.000000Z`).
 * Caveats: not safe for concurrent use by two callers; the elector serializes its calls.
 */
export class LeaseLock {
  readonly #client: Client;
  readonly #namespace: string;
  readonly #name: string;
  #lease: Lease | undefined;

  constructor(options: { client: Client; namespace: string; name: string }) {
    this.#client = options.client;
    this.#namespace = options.namespace;
    this.#name = options.name;
  }

  /** `namespace/name` of the Lease. */
  describe(): string {
    return `${this.#namespace}/${this.#name}`;
  }

  /** @throws ApiError (NotFound when the Lease does not exist). */
  async get(signal?: AbortSignal): Promise<ObservedLease> {
    const lease = await this.#client.get(Lease, { namespace: this.#namespace, name: this.#name }, signal ? { signal } : {});
    this.#lease = lease;
    return { record: recordOf(lease), raw: JSON.stringify(lease.spec ?? {}) };
  }

  /** @throws ApiError (AlreadyExists when another candidate created it first). */
  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.#lease = await this.#client.create(
      Lease,
      { metadata: { namespace: this.#namespace, name: this.#name }, spec: specOf(record) as never },
      signal ? { signal } : {},
    );
  }

  /**
   * Replaces the Lease's spec, guarded by the resourceVersion last seen.
   * @throws ApiError (Conflict when the Lease changed since), or an Error when nothing was read yet.
   */
  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    const base = this.#lease;
    if (base === undefined) throw new Error(`lease ${this.describe()} not initialized: get or create it first`);
    this.#lease = await this.#client.update(Lease, { ...base, spec: specOf(record) as never }, signal ? { signal } : {});
  }
}

/** The Lease spec for a record (client-go's `LeaderElectionRecordToLeaseSpec`). */
export function specOf(record: LeaderElectionRecord): Record<string, unknown> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: formatMicroTime(record.acquireTime),
    renewTime: formatMicroTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

/** The record a Lease holds (client-go's `LeaseSpecToLeaderElectionRecord`); missing fields read as zero. */
export function recordOf(lease: Lease): LeaderElectionRecord {
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const time = (v: unknown): number => parseTime(typeof v === 'string' || v instanceof Date ? v : undefined) ?? 0;
  return {
    holderIdentity: typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '',
    leaseDurationSeconds: num(spec['leaseDurationSeconds']),
    acquireTime: time(spec['acquireTime']),
    renewTime: time(spec['renewTime']),
    leaseTransitions: num(spec['leaseTransitions']),
  };
}
