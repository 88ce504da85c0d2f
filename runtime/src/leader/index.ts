/**
 * `@opkit/runtime/leader`: Lease-based leader election (coordination.k8s.io/v1) as a building
 * block — the elector, its lock and errors, and a client fenced by leadership. A Manager with
 * `leaderElection` options builds one.
 * @packageDocumentation
 */
export { LeaseElector, type LeaseElectorOptions, type LeaderElectionMetrics, type LeaderElectionState } from './elector.js';
export { LeaderElectionError, LeaderElectionLostError, type LeaderElectionErrorReason } from './errors.js';
export { LeaseLock, type LeaderElectionRecord } from './lease-lock.js';
export { fencedClient } from './fence.js';
export { alwaysLeader, type LeaderElector } from '../lifecycle/runnable.js';
export type { LeaderElectionConfig } from '../manager/operations.js';
