import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { certificateValidity, createCertificateAuthority, issueCertificate } from '../../../runtime/src/util/x509.js';

const HOUR = 60 * 60 * 1000;

describe('x509 issuing', () => {
  const clock = new FakeClock({ start: Date.parse('2030-01-01T00:00:00Z') });
  const ca = createCertificateAuthority({ commonName: 'test-ca', validityMs: 48 * HOUR, clock });

  test('a CA is self-signed, marked CA, and valid from an hour ago for the validity asked', () => {
    const cert = new X509Certificate(ca.cert);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=test-ca');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(certificateValidity(ca.cert)).toEqual({ notBefore: clock.now() - HOUR, notAfter: clock.now() + 48 * HOUR });
  });

  test('a serving certificate is signed by the CA, names its SANs and serverAuth only, and matches its key', () => {
    const leaf = issueCertificate(ca, { commonName: 'webhook', usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['hook.ns.svc'], validityMs: HOUR, clock });
    const cert = new X509Certificate(leaf.cert);
    const caCert = new X509Certificate(ca.cert);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('hook.ns.svc')).toBe('hook.ns.svc');
    expect(cert.checkHost('other.ns.svc')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(createPublicKey(createPrivateKey(leaf.key)).export({ type: 'spki', format: 'pem' })).toBe(cert.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(certificateValidity(leaf.cert).notAfter).toBe(clock.now() + HOUR);
  });

  test('a client certificate carries user and groups as CN and O, with clientAuth only', () => {
    const leaf = issueCertificate(ca, { commonName: 'alice', organizations: ['devs', 'ops'], usage: 'client', clock });
    const cert = new X509Certificate(leaf.cert);
    expect(cert.subject.split('\n')).toEqual(['CN=alice', 'O=devs', 'O=ops']);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });
});
