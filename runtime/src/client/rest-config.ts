/** TLS settings of the connection to one API server (PEM text or bytes). */
export interface TlsConfig {
  /** CA bundle that signs the server's certificate (default: Node's built-in roots). */
  readonly ca?: string | Buffer;
  /** Client certificate (with `key`): authenticates the user by mutual TLS. */
  readonly cert?: string | Buffer;
  /** The private key of `cert`. */
  readonly key?: string | Buffer;
  /** Name the server's certificate must carry, when it differs from the server URL's host. */
  readonly servername?: string;
  /** Accept any server certificate (kubeconfig `insecure-skip-tls-verify`; never in production). */
  readonly insecureSkipVerify?: boolean;
}

/**
 * A credential that changes over time (an exec plugin's token, a service account token file):
 * the transport asks it for the `Authorization` header of each request.
 */
export interface CredentialSource {
  /**
   * The `Authorization` header value for the next request (`undefined`: none). Called on every
   * request, so it must answer from a cache while the credential is fresh.
   */
  authorization(): string | undefined | Promise<string | undefined>;
  /** The server answered 401 with the last value: forget it, so the next call fetches a new one. */
  invalidate?(): void;
}

/**
 * Everything the transport needs to reach and authenticate to one API server — client-go's
 * `rest.Config`. {@link loadKubeConfig} builds one from kubeconfig files or the in-cluster service
 * account; any object of this shape works (tests, custom credential sources).
 *
 * Guarantees: the transport reads `tls` and `headers` once, when it is created, and reuses them for
 * every connection; only `credentials` is consulted per request.
 */
export interface RestConfig {
  /** The API server's URL, e.g. `https://10.0.0.1:6443` (a path prefix is kept). */
  readonly server: string;
  /** CA, client certificate and server-name settings (default: Node's roots, no client certificate). */
  readonly tls?: TlsConfig;
  /** Headers every request carries: a static bearer token, basic auth, impersonation. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A credential that expires; its `Authorization` wins over one in `headers`. */
  readonly credentials?: CredentialSource;
  /** The namespace of the kubeconfig context (or the pod's, in a cluster), when it names one. */
  readonly namespace?: string;
}
