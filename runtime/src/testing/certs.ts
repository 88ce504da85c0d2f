import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A PEM certificate and its PEM private key. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

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

function rsaKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function issue(options: {
  subject: forge.pki.CertificateField[];
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  extensions: object[];
}): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; pem: KeyPair } {
  const pair = rsaKeyPair();
  const key = forge.pki.privateKeyFromPem(pair.privatePem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 7 * 24 * 60 * 60 * 1000);
  cert.setSubject(options.subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : options.subject);
  cert.setExtensions(options.extensions);
  cert.sign(options.issuer?.key ?? key, forge.md.sha256.create());
  return { cert, key, pem: { cert: forge.pki.certificateToPem(cert), key: pair.privatePem } };
}

/**
 * Creates a throwaway CA, a serving certificate for loopback and an admin client certificate in
 * `system:masters`, like controller-runtime's envtest.
 *
 * Caveats: valid for one week; meant for tests only.
 */
export function createControlPlaneCerts(): ControlPlaneCerts {
  const ca = issue({
    subject: [{ name: 'commonName', value: 'opkit-envtest-ca' }],
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true, critical: true },
    ],
  });
  const serving = issue({
    subject: [{ name: 'commonName', value: 'kube-apiserver' }],
    issuer: ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
        ],
      },
    ],
  });
  const admin = issue({
    subject: [
      { name: 'commonName', value: 'opkit-admin' },
      { name: 'organizationName', value: 'system:masters' },
    ],
    issuer: ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const sa = rsaKeyPair();
  return { ca: ca.pem, serving: serving.pem, admin: admin.pem, serviceAccount: { cert: sa.publicPem, key: sa.privatePem } };
}

/**
 * Issues a client certificate signed by `ca` for `user` in `groups` (CN = user, one O per group):
 * the API server's x509 authenticator maps it to exactly that user and those groups.
 *
 * Caveats: valid for one week; `ca.key` must be the CA's private key PEM.
 */
export function issueClientCertificate(ca: KeyPair, user: string, groups: readonly string[]): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey;
  return issue({
    subject: [{ name: 'commonName', value: user }, ...groups.map((g) => ({ name: 'organizationName', value: g }))],
    issuer: { cert: caCert, key: caKey },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  }).pem;
}
