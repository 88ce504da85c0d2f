/**
 * Carries out one step of the renewal schedule: the new texts of the Secret.
 *
 * Caveats: issuing makes RSA keys synchronously (tens of milliseconds each); steps are rare (at
 * most a few per renewal period).
 * @module
 */
import { issueCa, issueServing } from './issue.js';
import type { RenewalPolicy, RenewalStep } from './plan.js';
import type { CertState, CertTexts } from './state.js';

/** What {@link applyStep} needs besides the state: the time and the CA's name. */
export interface ApplyContext {
  readonly now: number;
  readonly policy: RenewalPolicy;
  /** Common name of new CAs (the issuing time is appended). */
  readonly caName: string;
}

/** A serving certificate's lifetime from now: leafValidityMs, never past its CA's end. */
function leafValidity(caNotAfter: number, context: ApplyContext): number {
  return Math.min(caNotAfter - context.now, context.policy.leafValidityMs);
}

/**
 * The Secret's texts after `step` (`none` returns `texts` unchanged).
 *
 * Guarantees: `rotate-ca` keeps the serving certificate and puts the new CA before the old one in
 * the bundle; `renew-leaf` keeps the bundle; `drop-old-ca` keeps the CA and the certificate.
 */
export function applyStep(state: CertState, texts: CertTexts, step: RenewalStep, context: ApplyContext): CertTexts {
  const { now, policy } = context;
  switch (step.action) {
    case 'none':
      return texts;
    case 'bootstrap': {
      const ca = issueCa(context.caName, now, policy.caValidityMs);
      const leaf = issueServing(ca, policy.dnsNames, now, leafValidity(now + policy.caValidityMs, context));
      return { cert: leaf.cert, key: leaf.key, caBundle: ca.cert, caKey: ca.key };
    }
    case 'rotate-ca': {
      const ca = issueCa(context.caName, now, policy.caValidityMs);
      const kept = state.bundle.filter((c) => c.notAfter > now).map((c) => c.pem);
      return { ...texts, caBundle: [ca.cert, ...kept].join(''), caKey: ca.key };
    }
    case 'renew-leaf': {
      const current = state.ca;
      if (current === undefined) throw new Error('renew-leaf without a CA: nextStep returns bootstrap then');
      const pair = { cert: current.cert.pem, key: current.key };
      const leaf = issueServing(pair, policy.dnsNames, now, leafValidity(current.cert.notAfter, context));
      return { ...texts, cert: leaf.cert, key: leaf.key };
    }
    case 'drop-old-ca':
      return { ...texts, caBundle: step.keep.map((c) => c.pem).join('') };
  }
}
