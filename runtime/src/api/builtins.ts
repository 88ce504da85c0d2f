import type {
  CoreV1Event,
  EventsV1Event,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ConfigMap,
  V1CronJob,
  V1CustomResourceDefinition,
  V1DaemonSet,
  V1Deployment,
  V1Ingress,
  V1Job,
  V1Lease,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1Role,
  V1RoleBinding,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Resource } from './resource.js';

/*
 * Built-in kinds, typed with client-node's models. Caveats: objects come from the API server as
 * JSON, so fields client-node types as `Date` (metadata.creationTimestamp, …) hold RFC 3339 strings.
 */

const core = (kind: string, plural: string, namespaced = true) => ({ group: '', version: 'v1', kind, plural, namespaced }) as const;

export type ConfigMap = V1ConfigMap;
/** core/v1 ConfigMap. */
export const ConfigMap: Resource<ConfigMap> = core('ConfigMap', 'configmaps');
export type Secret = V1Secret;
/** core/v1 Secret. */
export const Secret: Resource<Secret> = core('Secret', 'secrets');
export type Service = V1Service;
/** core/v1 Service. */
export const Service: Resource<Service> = { ...core('Service', 'services'), subresources: { status: true } };
export type Pod = V1Pod;
/** core/v1 Pod. */
export const Pod: Resource<Pod> = { ...core('Pod', 'pods'), subresources: { status: true } };
export type Namespace = V1Namespace;
/** core/v1 Namespace (cluster-scoped). */
export const Namespace: Resource<Namespace> = { ...core('Namespace', 'namespaces', false), subresources: { status: true } };
export type Node = V1Node;
/** core/v1 Node (cluster-scoped). */
export const Node: Resource<Node> = { ...core('Node', 'nodes', false), subresources: { status: true } };
export type ServiceAccount = V1ServiceAccount;
/** core/v1 ServiceAccount. */
export const ServiceAccount: Resource<ServiceAccount> = core('ServiceAccount', 'serviceaccounts');
export type PersistentVolumeClaim = V1PersistentVolumeClaim;
/** core/v1 PersistentVolumeClaim. */
export const PersistentVolumeClaim: Resource<PersistentVolumeClaim> = {
  ...core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  subresources: { status: true },
};
export type CoreEvent = CoreV1Event;
/** core/v1 Event (the legacy events API). */
export const CoreEvent: Resource<CoreEvent> = core('Event', 'events');

const apps = (kind: string, plural: string) =>
  ({ group: 'apps', version: 'v1', kind, plural, namespaced: true, subresources: { status: true, scale: true } }) as const;
export type Deployment = V1Deployment;
/** apps/v1 Deployment. */
export const Deployment: Resource<Deployment> = apps('Deployment', 'deployments');
export type StatefulSet = V1StatefulSet;
/** apps/v1 StatefulSet. */
export const StatefulSet: Resource<StatefulSet> = apps('StatefulSet', 'statefulsets');
export type DaemonSet = V1DaemonSet;
/** apps/v1 DaemonSet. */
export const DaemonSet: Resource<DaemonSet> = { ...apps('DaemonSet', 'daemonsets'), subresources: { status: true } };
export type ReplicaSet = V1ReplicaSet;
/** apps/v1 ReplicaSet. */
export const ReplicaSet: Resource<ReplicaSet> = apps('ReplicaSet', 'replicasets');

export type Job = V1Job;
/** batch/v1 Job. */
export const Job: Resource<Job> = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
  subresources: { status: true },
};
export type CronJob = V1CronJob;
/** batch/v1 CronJob. */
export const CronJob: Resource<CronJob> = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  namespaced: true,
  subresources: { status: true },
};
export type Ingress = V1Ingress;
/** networking.k8s.io/v1 Ingress. */
export const Ingress: Resource<Ingress> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  namespaced: true,
  subresources: { status: true },
};
export type Lease = V1Lease;
/** coordination.k8s.io/v1 Lease (leader election). */
export const Lease: Resource<Lease> = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true };
export type Event = EventsV1Event;
/** events.k8s.io/v1 Event. */
export const Event: Resource<Event> = { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true };

const rbac = (kind: string, plural: string, namespaced: boolean) =>
  ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind, plural, namespaced }) as const;
export type Role = V1Role;
/** rbac.authorization.k8s.io/v1 Role. */
export const Role: Resource<Role> = rbac('Role', 'roles', true);
export type RoleBinding = V1RoleBinding;
/** rbac.authorization.k8s.io/v1 RoleBinding. */
export const RoleBinding: Resource<RoleBinding> = rbac('RoleBinding', 'rolebindings', true);
export type ClusterRole = V1ClusterRole;
/** rbac.authorization.k8s.io/v1 ClusterRole. */
export const ClusterRole: Resource<ClusterRole> = rbac('ClusterRole', 'clusterroles', false);
export type ClusterRoleBinding = V1ClusterRoleBinding;
/** rbac.authorization.k8s.io/v1 ClusterRoleBinding. */
export const ClusterRoleBinding: Resource<ClusterRoleBinding> = rbac('ClusterRoleBinding', 'clusterrolebindings', false);
export type CustomResourceDefinition = V1CustomResourceDefinition;
/** apiextensions.k8s.io/v1 CustomResourceDefinition. */
export const CustomResourceDefinition: Resource<CustomResourceDefinition> = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
  subresources: { status: true },
};

const admission = (kind: string, plural: string) =>
  ({ group: 'admissionregistration.k8s.io', version: 'v1', kind, plural, namespaced: false }) as const;
export type MutatingWebhookConfiguration = V1MutatingWebhookConfiguration;
/** admissionregistration.k8s.io/v1 MutatingWebhookConfiguration (cluster-scoped). */
export const MutatingWebhookConfiguration: Resource<MutatingWebhookConfiguration> = admission('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations');
export type ValidatingWebhookConfiguration = V1ValidatingWebhookConfiguration;
/** admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration (cluster-scoped). */
export const ValidatingWebhookConfiguration: Resource<ValidatingWebhookConfiguration> = admission('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations');
