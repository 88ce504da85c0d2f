/**
 * The certificates kept in the operator's Secret, read into what the renewal plan decides from.
 * Everything the plan needs is in the certificates themselves (validity, issuer, names), so a
 * Secret copied elsewhere, or written by another replica, reads the same.
 * @module
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';

/** The keys of the Secret's `data`. `ca.crt` is the trust bundle: the current CA first, then an older one while rotating. */
export const SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', caBundle: 'ca.crt', caKey: 'ca.key' } as const;

/** One parsed certificate. */
export interface ParsedCert {
  readonly pem: string;
  readonly x509: X509Certificate;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The PEM texts of the Secret (decoded from base64), any of them possibly missing. */
export interface CertTexts {
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly caBundle?: string | undefined;
  readonly caKey?: string | undefined;
}

/** What the Secret holds, checked: only consistent parts are set. */
export interface CertState {
  /** The CA that signs new serving certificates: the first of the bundle, with its key. */
  readonly ca?: { readonly cert: ParsedCert; readonly key: string } | undefined;
  /** Every CA of the bundle, the current one first. */
  readonly bundle: readonly ParsedCert[];
  /** The serving certificate with its key, when the key matches. */
  readonly leaf?: { readonly cert: ParsedCert; readonly key: string; readonly dnsNames: readonly string[] } | undefined;
}

/** The PEM blocks of certificates in `text`, in order. */
export function splitPem(text: string): string[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => `${m[0]}\n`);
}

/** Parses one PEM certificate; `undefined` when it is not one. */
export function parseCert(pem: string): ParsedCert | undefined {
  try {
    const x509 = new X509Certificate(pem);
    return { pem, x509, notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) };
  } catch {
    return undefined;
  }
}

/** The DNS names of a certificate's subjectAltName. */
export function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}

function keyMatches(cert: X509Certificate, key: string | undefined): key is string {
  if (key === undefined) return false;
  try {
    return cert.checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/** Whether `cert` was issued and signed by `ca`. */
export function signedBy(cert: ParsedCert, ca: ParsedCert): boolean {
  try {
    return cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * Reads the texts into a {@link CertState}. A bundle whose first certificate is not a CA or has no
 * matching key has no `ca`; a serving certificate without its matching key has no `leaf`.
 */
export function readCertState(texts: CertTexts): CertState {
  const bundle = splitPem(texts.caBundle ?? '').flatMap((pem) => {
    const parsed = parseCert(pem);
    return parsed !== undefined && parsed.x509.ca ? [parsed] : [];
  });
  const first = bundle[0];
  const ca = first !== undefined && keyMatches(first.x509, texts.caKey) ? { cert: first, key: texts.caKey } : undefined;
  const leafCert = texts.cert === undefined ? undefined : parseCert(splitPem(texts.cert)[0] ?? '');
  const leaf = leafCert !== undefined && keyMatches(leafCert.x509, texts.key) ? { cert: leafCert, key: texts.key, dnsNames: dnsNamesOf(leafCert.x509) } : undefined;
  return { ca, bundle, leaf };
}
