import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../../runtime/src/util/x509.js';

/** A CA, and a way to issue 127.0.0.1 serving pairs from it into a cert dir. */
export interface TestCerts {
  readonly ca: KeyPair;
  readonly dir: string;
  /** Issues a new serving pair for 127.0.0.1 (signed by `ca`). */
  issue(): KeyPair;
  /** Writes `pair` as tls.crt / tls.key in `dir`. */
  write(pair: KeyPair): void;
  remove(): void;
}

export function testCerts(): TestCerts {
  const ca = createCertificateAuthority({ commonName: 'webhook-test-ca' });
  const dir = mkdtempSync(join(tmpdir(), 'opkit-webhook-unit-'));
  mkdirSync(dir, { recursive: true });
  const issue = (): KeyPair => issueCertificate(ca, { commonName: 'webhook', usage: 'server', ipAddresses: ['127.0.0.1'] });
  return {
    ca,
    dir,
    issue,
    write: (pair) => {
      writeFileSync(join(dir, 'tls.crt'), pair.cert);
      writeFileSync(join(dir, 'tls.key'), pair.key);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One HTTPS request on a fresh connection; the status and the parsed (or raw) body. */
export function post(
  port: number,
  ca: string,
  path: string,
  body: string,
  o: { method?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> & { raw: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: o.method ?? 'POST', ca, agent: false, headers: { 'content-type': o.contentType ?? 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            parsed = {};
          }
          resolve({ status: res.statusCode ?? 0, body: { ...parsed, raw } });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The serial number of the certificate a new TLS connection to `port` is served. */
export function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

/** An AdmissionReview v1 request for a Widget. */
export function admissionReview(uid: string, object: Record<string, unknown> = { spec: {} }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'test.opkit.dev', version: 'v1', kind: 'Widget' },
      resource: { group: 'test.opkit.dev', version: 'v1', resource: 'widgets' },
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      namespace: 'default',
      name: 'w',
      object,
      oldObject: null,
      dryRun: false,
      ...extra,
    },
  };
}
