/**
 * The control-plane versions Opkit builds by default. kube-apiserver is the newest Kubernetes
 * release the Go module proxy served when this was written; etcd is the 3.6 line Kubernetes
 * itself is tested with.
 */
export const DEFAULT_KUBERNETES_VERSION = 'v1.37.2';
/** See {@link DEFAULT_KUBERNETES_VERSION}. */
export const DEFAULT_ETCD_VERSION = 'v3.6.16';
