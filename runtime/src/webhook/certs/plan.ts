/**
 * When to issue what: the renewal schedule of the CA and the serving certificate, as a pure
 * function of the Secret's certificates and the time, so every replica decides the same and unit
 * tests drive it with any clock.
 *
 * The schedule (with the defaults: CA 5 years, serving certificate 90 days, renewal at 2/3 of a
 * lifetime, 5 minutes propagation):
 * 1. nothing valid yet: a CA and a serving certificate (`bootstrap`);
 * 2. the serving certificate at 2/3 of its lifetime (`renew-leaf`), signed by the current CA;
 * 3. the CA at 2/3 of its lifetime (`rotate-ca`): the new CA goes first in the bundle and the old
 *    one stays; the serving certificate is not touched;
 * 4. once the bundle with the new CA had `propagationMs` to reach the API server and every
 *    replica, the serving certificate is re-issued by the new CA (`renew-leaf`);
 * 5. `propagationMs` after that, the old CA leaves the bundle (`drop-old-ca`).
 * So the CA and the serving certificate never change at the same moment, and a request verified
 * against any bundle the API server may still hold meets a certificate that bundle trusts.
 * @module
 */
import { signedBy, type CertState, type ParsedCert } from './state.js';
import { CLOCK_SKEW_MS } from './issue.js';

/** The schedule's parameters. */
export interface RenewalPolicy {
  /** Lifetime of a new CA. */
  readonly caValidityMs: number;
  /** Lifetime of a new serving certificate (cut to its CA's end). */
  readonly leafValidityMs: number;
  /** The fraction of a lifetime after which a certificate is renewed (0 < f < 1). */
  readonly renewFraction: number;
  /** How long a changed bundle or certificate needs to reach the API server and every replica. */
  readonly propagationMs: number;
  /** DNS names the serving certificate must carry. */
  readonly dnsNames: readonly string[];
}

/** One step of the schedule. */
export type RenewalStep =
  | { readonly action: 'bootstrap'; readonly why: string }
  | { readonly action: 'rotate-ca'; readonly why: string }
  | { readonly action: 'renew-leaf'; readonly why: string }
  | { readonly action: 'drop-old-ca'; readonly why: string; readonly keep: readonly ParsedCert[] }
  | { readonly action: 'none'; readonly nextAt: number };

/** When a certificate was issued: its notBefore is set back by {@link CLOCK_SKEW_MS}. */
function issuedAt(cert: ParsedCert): number {
  return cert.notBefore + CLOCK_SKEW_MS;
}

/** When a certificate is due for renewal: `renewFraction` of its lifetime from issuing. */
export function renewalTime(cert: ParsedCert, renewFraction: number): number {
  const start = issuedAt(cert);
  return start + (cert.notAfter - start) * renewFraction;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((n, i) => n === [...b].sort()[i]);
}

/**
 * The next step for `state` at `now`: one action to take now, or `none` with the time of the next
 * one. Apply the action, write the Secret, and ask again: steps follow one another
 * (`bootstrap` is the only one that issues both certificates).
 */
export function nextStep(state: CertState, now: number, policy: RenewalPolicy): RenewalStep {
  const { ca, leaf, bundle } = state;
  if (ca === undefined) return { action: 'bootstrap', why: bundle.length === 0 ? 'no CA yet' : 'the CA in the Secret has no matching ca.key' };
  if (now >= ca.cert.notAfter) return { action: 'bootstrap', why: 'the CA expired' };
  const older = bundle.slice(1).filter((c) => c.notAfter > now);
  const trusted = [ca.cert, ...older];

  if (leaf === undefined) return { action: 'renew-leaf', why: 'no serving certificate with a matching key' };
  if (now >= leaf.cert.notAfter) return { action: 'renew-leaf', why: 'the serving certificate expired' };
  if (!sameNames(leaf.dnsNames, policy.dnsNames)) return { action: 'renew-leaf', why: `the serving certificate names ${leaf.dnsNames.join(', ')}, not ${policy.dnsNames.join(', ')}` };
  if (!trusted.some((c) => signedBy(leaf.cert, c))) return { action: 'renew-leaf', why: 'the serving certificate is not signed by a CA of the bundle' };

  const byCurrent = signedBy(leaf.cert, ca.cert);
  const caRotatedAt = issuedAt(ca.cert);
  const waits: number[] = [];

  if (!byCurrent) {
    // Mid-rotation: the bundle with the new CA must reach everyone before a certificate it signed is served.
    const ready = caRotatedAt + policy.propagationMs;
    if (now >= ready) return { action: 'renew-leaf', why: 'the CA was rotated; the serving certificate moves to the new CA' };
    waits.push(ready);
  } else {
    const leafDue = renewalTime(leaf.cert, policy.renewFraction);
    if (now >= leafDue) return { action: 'renew-leaf', why: 'the serving certificate reached its renewal time' };
    waits.push(leafDue);
    if (bundle.length > trusted.length) return { action: 'drop-old-ca', why: 'a CA of the bundle expired', keep: trusted };
    if (older.length > 0) {
      const dropAt = issuedAt(leaf.cert) + policy.propagationMs;
      if (now >= dropAt) return { action: 'drop-old-ca', why: 'no served certificate depends on the old CA any more', keep: [ca.cert] };
      waits.push(dropAt);
    } else {
      const caDue = renewalTime(ca.cert, policy.renewFraction);
      // Not at the moment the serving certificate was issued: at least propagationMs after it.
      const caAt = Math.max(caDue, issuedAt(leaf.cert) + policy.propagationMs);
      if (now >= caAt) return { action: 'rotate-ca', why: 'the CA reached its renewal time' };
      waits.push(caAt);
    }
  }
  return { action: 'none', nextAt: Math.min(...waits) };
}
