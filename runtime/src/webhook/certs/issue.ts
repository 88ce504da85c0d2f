/**
 * Issuing the webhook server's certificates on the shared X.509 module (util/x509.ts): a
 * self-signed CA and a serving certificate it signs, valid from the caller's time (so tests move a
 * fake clock instead of waiting).
 * @module
 */
import type { Clock } from '../../util/clock.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../util/x509.js';

/** A PEM certificate and its PEM (PKCS#1) private key. */
export type CertificatePair = KeyPair;

/**
 * How far `notBefore` is set back from the issuing time, so a peer whose clock is a little behind
 * does not see a certificate from the future.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A clock that reads `now` (the moment the renewal plan decided on). */
function at(now: number): Clock {
  return { now: () => now, setTimer: () => ({ cancel: () => undefined }) };
}

/**
 * Issues a self-signed CA named `commonName-<seconds>` (the issuing time appended, so two CAs of
 * one operator are told apart in a bundle), valid for `validityMs` from `now`.
 *
 * Caveats: node-forge encodes the name as a PrintableString, which Go's x509 (the API server)
 * parses strictly: letters, digits, space and `'()+,-./:=?` only (no `@`, no `_`).
 */
export function issueCa(commonName: string, now: number, validityMs: number): CertificatePair {
  return createCertificateAuthority({ commonName: `${commonName}-${Math.floor(now / 1000)}`, validityMs, backdateMs: CLOCK_SKEW_MS, clock: at(now) });
}

/** Issues a serving certificate for `dnsNames` (the first is the common name) signed by `ca`, valid for `validityMs` from `now`. */
export function issueServing(ca: CertificatePair, dnsNames: readonly string[], now: number, validityMs: number): CertificatePair {
  return issueCertificate(ca, { commonName: dnsNames[0] ?? 'webhook', usage: 'server', dnsNames, validityMs, backdateMs: CLOCK_SKEW_MS, clock: at(now) });
}
