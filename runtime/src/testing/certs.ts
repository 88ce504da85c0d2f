import { createCertificateAuthority, issueCertificate, rsaKeyPair, type KeyPair } from '../util/x509.js';

export type { KeyPair } from '../util/x509.js';

/** Everything the control plane and its clients need for TLS and authentication. */
export interface ControlPlaneCerts {
  /** The CA that signed the serving and client certificates (clients trust it). */
  readonly ca: KeyPair;
  /** kube-apiserver's serving certificate for 127.0.0.1 and localhost. */
  readonly serving: KeyPair;
  /** The admin client certificate: CN `opkit-admin`, O `system:masters`. */
  readonly admin: KeyPair;
  /** RSA key pair that signs and verifies service-account tokens (public key PEM as `cert`). */
  readonly serviceAccount: KeyPair;
}

/**
 * Creates a throwaway CA, a serving certificate for loopback and an admin client certificate in
 * `system:masters`, like controller-runtime's envtest.
 *
 * Caveats: valid for one week; meant for tests only.
 */
export function createControlPlaneCerts(): ControlPlaneCerts {
  const ca = createCertificateAuthority({ commonName: 'opkit-envtest-ca' });
  const serving = issueCertificate(ca, {
    commonName: 'kube-apiserver',
    usage: 'server',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost', 'kubernetes.default.svc'],
  });
  const admin = issueCertificate(ca, { commonName: 'opkit-admin', organizations: ['system:masters'], usage: 'client' });
  const sa = rsaKeyPair();
  return { ca, serving, admin, serviceAccount: { cert: sa.publicPem, key: sa.privatePem } };
}

/**
 * Issues a client certificate signed by `ca` for `user` in `groups` (CN = user, one O per group):
 * the API server's x509 authenticator maps it to exactly that user and those groups.
 *
 * Caveats: valid for one week; `ca.key` must be the CA's private key PEM.
 */
export function issueClientCertificate(ca: KeyPair, user: string, groups: readonly string[]): KeyPair {
  return issueCertificate(ca, { commonName: user, organizations: groups, usage: 'client' });
}
