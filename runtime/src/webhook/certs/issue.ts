/**
 * Issuing the webhook server's certificates: a self-signed CA and a serving certificate it signs,
 * with validity taken from the caller's clock (so tests move time instead of waiting).
 *
 * Keys are RSA 2048 made by Node's crypto (off the event loop); node-forge writes the X.509.
 * @module
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateRsa = promisify(generateKeyPair);

/** A PEM certificate and its PEM (PKCS#1) private key. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** Validity of a certificate to issue, in ms since the epoch. */
export interface Validity {
  readonly notBefore: number;
  readonly notAfter: number;
}

/**
 * How far `notBefore` is set back from the issuing time, so a peer whose clock is a little behind
 * does not see a certificate from the future.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

async function issue(options: {
  readonly subject: forge.pki.CertificateField[];
  readonly issuer?: CertificatePair;
  readonly validity: Validity;
  readonly extensions: object[];
}): Promise<CertificatePair> {
  const pair = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  // A positive serial (leading 01), 64 random bits: unique per certificate as RFC 5280 asks.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(options.validity.notBefore);
  cert.validity.notAfter = new Date(options.validity.notAfter);
  cert.setSubject(options.subject);
  let signingKey = forge.pki.privateKeyFromPem(pair.privateKey);
  if (options.issuer !== undefined) {
    cert.setIssuer(forge.pki.certificateFromPem(options.issuer.cert).subject.attributes);
    signingKey = forge.pki.privateKeyFromPem(options.issuer.key);
  } else {
    cert.setIssuer(options.subject);
  }
  cert.setExtensions(options.extensions);
  cert.sign(signingKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pair.privateKey };
}

/**
 * Issues a self-signed CA named `commonName` (the name gets the issuing time in seconds appended,
 * `-<seconds>`, so two CAs of one operator are told apart in a bundle).
 *
 * Caveats: node-forge encodes the name as a PrintableString, which Go's x509 (the API server)
 * parses strictly: letters, digits, space and `'()+,-./:=?` only (no `@`, no `_`).
 */
export async function issueCa(commonName: string, validity: Validity): Promise<CertificatePair> {
  return issue({
    subject: [{ name: 'commonName', value: `${commonName}-${Math.floor(validity.notBefore / 1000)}` }],
    validity,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true, critical: true },
    ],
  });
}

/**
 * Issues a serving certificate for `dnsNames` (the first is the common name) signed by `ca`.
 * Caveats: `validity` should end before the CA's; nothing here checks it.
 */
export async function issueServing(ca: CertificatePair, dnsNames: readonly string[], validity: Validity): Promise<CertificatePair> {
  return issue({
    subject: [{ name: 'commonName', value: dnsNames[0] ?? 'webhook' }],
    issuer: ca,
    validity,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    ],
  });
}
