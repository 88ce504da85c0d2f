import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { realClock, type Clock } from './clock.js';

/**
 * X.509 issuing shared by the test control plane (`@opkit/runtime/testing`) and the webhook
 * server's self-managed certificates: a CA, and leaves (serving or client) signed by it.
 *
 * Caveats: loads node-forge (signing); keep it out of entry points that do not issue certificates.
 * @module
 */

/** A PEM certificate and its PEM private key (PKCS#1 RSA). */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** What a leaf certificate is for: TLS server, TLS client, or both. */
export type CertificateUsage = 'server' | 'client' | 'server-and-client';

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Subject common name (e.g. `my-operator-webhook-ca`). */
  readonly commonName: string;
  /** How long it is valid from now, in ms (default 7 days). */
  readonly validityMs?: number;
  /** `notBefore` is this far in the past, against clock skew, in ms (default 1 hour). */
  readonly backdateMs?: number;
  /** Source of "now" (default the wall clock). */
  readonly clock?: Clock;
}

/** Options of {@link issueCertificate}. */
export interface CertificateOptions extends CertificateAuthorityOptions {
  /** Subject organizations (O); for client certificates these are the Kubernetes groups. */
  readonly organizations?: readonly string[];
  readonly usage: CertificateUsage;
  /** DNS subject alternative names (e.g. `my-op-webhook.my-op-system.svc`). */
  readonly dnsNames?: readonly string[];
  /** IP subject alternative names (e.g. `127.0.0.1`). */
  readonly ipAddresses?: readonly string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A fresh RSA-2048 key pair as PEM (private PKCS#1, public SPKI). */
export function rsaKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

interface Signer {
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

function sign(o: CertificateAuthorityOptions & { subject: forge.pki.CertificateField[]; issuer?: Signer; extensions: object[] }): KeyPair {
  const pair = rsaKeyPair();
  const key = forge.pki.privateKeyFromPem(pair.privatePem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = (o.clock ?? realClock).now();
  cert.validity.notBefore = new Date(now - (o.backdateMs ?? 60 * 60 * 1000));
  cert.validity.notAfter = new Date(now + (o.validityMs ?? 7 * DAY_MS));
  cert.setSubject(o.subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : o.subject);
  cert.setExtensions(o.extensions);
  cert.sign(o.issuer?.key ?? key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pair.privatePem };
}

/**
 * A self-signed certificate authority (basicConstraints CA, keyCertSign).
 *
 * Guarantees: a new key every call; valid from `now - backdateMs` to `now + validityMs`.
 */
export function createCertificateAuthority(options: CertificateAuthorityOptions): KeyPair {
  return sign({
    ...options,
    subject: [{ name: 'commonName', value: options.commonName }],
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true, critical: true },
    ],
  });
}

/**
 * A leaf certificate signed by `ca` (whose `key` must be the CA's private key PEM): CN
 * `commonName`, one O per organization, the SANs given, extended key usage from `usage`.
 *
 * Guarantees: a new key every call; the API server's x509 authenticator maps a client certificate
 * to user CN and groups O.
 * @throws Error when `ca` is not a PEM certificate and key.
 */
export function issueCertificate(ca: KeyPair, options: CertificateOptions): KeyPair {
  const issuer: Signer = { cert: forge.pki.certificateFromPem(ca.cert), key: forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey };
  const altNames = [...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })), ...(options.dnsNames ?? []).map((value) => ({ type: 2, value }))];
  return sign({
    ...options,
    subject: [{ name: 'commonName', value: options.commonName }, ...(options.organizations ?? []).map((value) => ({ name: 'organizationName', value }))],
    issuer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: options.usage !== 'client', clientAuth: options.usage !== 'server' },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    ],
  });
}

/** The validity window of a PEM certificate, in ms since the epoch (parsed by node:crypto, no node-forge). */
export function certificateValidity(pem: string): { notBefore: number; notAfter: number } {
  const cert = new X509Certificate(pem);
  return { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
}
