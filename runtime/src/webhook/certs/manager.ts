/**
 * `WebhookCertManager`: the operator's own webhook certificates, with no cert-manager. A CA and a
 * serving certificate live in a Secret; every replica writes them into its webhook server's
 * certificate directory and keeps the CA bundle of the webhook configurations and CRDs current.
 * @module
 */
import { Secret } from '../../api/builtins.js';
import type { Client } from '../../client/client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import { describeError } from '../../errors/opkit-error.js';
import type { Runnable } from '../../lifecycle/runnable.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { realClock, sleep, type Clock } from '../../util/clock.js';
import { applyStep } from './apply.js';
import { writeCertFiles } from './cert-dir.js';
import { CertManagerError } from './errors.js';
import { injectCaBundle, withSignal, type CaBundleTargets } from './inject.js';
import { nextStep, type RenewalPolicy } from './plan.js';
import { readCertState, SECRET_KEYS, type CertTexts } from './state.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link WebhookCertManager}. */
export interface WebhookCertManagerOptions {
  /** A client that reads from the API server (not a cache): e.g. `mgr.apiReader`. */
  readonly client: Client;
  /** The operator's namespace: where the Secret and the Service are. */
  readonly namespace: string;
  /** The Secret holding the CA and the serving certificate (created when missing). */
  readonly secretName: string;
  /** The webhook Service: the certificate names `<service>.<namespace>.svc` and `….svc.cluster.local`. */
  readonly serviceName: string;
  /** The webhook server's certificate directory. */
  readonly certDir: string;
  /** File names in `certDir` (defaults `tls.crt`, `tls.key`, `ca.crt`). */
  readonly certName?: string;
  readonly keyName?: string;
  readonly caName?: string;
  /** Webhook configurations that get the CA bundle (every webhook in each). Default none. */
  readonly webhookConfigurations?: { readonly mutating?: readonly string[]; readonly validating?: readonly string[] };
  /** CRDs whose conversion webhook gets the CA bundle (only those with `strategy: Webhook`). Default none. */
  readonly crds?: readonly string[];
  /** Lifetime of a CA. Default 5 years. */
  readonly caValidityMs?: number;
  /** Lifetime of a serving certificate. Default 90 days. */
  readonly leafValidityMs?: number;
  /** Fraction of a lifetime after which a certificate is renewed. Default 2/3. */
  readonly renewFraction?: number;
  /**
   * How long a new CA bundle (or serving certificate) takes to reach the API server and every
   * replica; the next step of a rotation waits this long. Default 5 minutes (must exceed `resyncMs`).
   */
  readonly propagationMs?: number;
  /** How often the Secret is read again (another replica may have renewed). Default 1 minute. */
  readonly resyncMs?: number;
  /** Default the wall clock. */
  readonly clock?: Clock;
  /** Default silent. */
  readonly logger?: Logger;
}

/** What one {@link WebhookCertManager.sync} did. */
export interface CertSyncResult {
  /** Steps this replica took and wrote (empty when the Secret was already current). */
  readonly steps: string[];
  /** Whether the files in the certificate directory changed. */
  readonly filesChanged: boolean;
  /** Objects whose caBundle was patched, as `Kind/name`. */
  readonly patched: string[];
  /** Objects to patch that do not exist yet. */
  readonly missing: string[];
  /** When the next step of the schedule is due (ms since the epoch). */
  readonly nextAt: number;
}

const MAX_ATTEMPTS = 5;

function decode(data: Record<string, string> | undefined): CertTexts {
  const text = (key: string): string | undefined => (data?.[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString('utf8'));
  return { cert: text(SECRET_KEYS.cert), key: text(SECRET_KEYS.key), caBundle: text(SECRET_KEYS.caBundle), caKey: text(SECRET_KEYS.caKey) };
}

function encode(texts: CertTexts): Record<string, string> {
  const data: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) data[key] = Buffer.from(value).toString('base64');
  };
  put(SECRET_KEYS.cert, texts.cert);
  put(SECRET_KEYS.key, texts.key);
  put(SECRET_KEYS.caBundle, texts.caBundle);
  put(SECRET_KEYS.caKey, texts.caKey);
  return data;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new CertManagerError({ reason: 'InvalidOptions', message: `WebhookCertManager: ${name} must be a positive number of milliseconds, not ${value}` });
  return value;
}

/**
 * Keeps the webhook server's certificates: creates the CA and serving certificate on first use,
 * renews them on the schedule of ./plan.ts (the serving certificate at 2/3 of its lifetime, the CA
 * at 2/3 of its own and never at the same moment, the old CA kept in the bundle until nothing
 * depends on it), writes them into `certDir`, and patches the CA bundle into the webhook
 * configurations and CRDs.
 *
 * ```ts
 * const certs = new WebhookCertManager({ client: mgr.apiReader, namespace, secretName: 'my-op-webhook-cert',
 *   serviceName: 'my-op-webhook-service', certDir, webhookConfigurations: { validating: ['my-op-validating'] } });
 * await certs.sync();   // before the webhook server starts: the files exist
 * mgr.add(certs);       // then renews while the manager runs
 * ```
 *
 * Guarantees: runs on every replica (`needLeaderElection: false`); every write carries the
 * resourceVersion it read, so of replicas racing one wins and the others read its result, and all
 * decide the same next step from the same Secret; the serving certificate is always signed by a
 * CA in every bundle it is served against.
 * Caveats: the client needs get/create/update on the Secret, get/update on the named webhook
 * configurations and CRDs (`opkit generate rbac` writes exactly these when the project constructs
 * a WebhookCertManager). The Secret holds the CA's private key: restrict who reads Secrets in the
 * operator's namespace.
 */
export class WebhookCertManager implements Runnable {
  readonly needLeaderElection = false;
  readonly #options: WebhookCertManagerOptions;
  readonly #policy: RenewalPolicy;
  readonly #targets: CaBundleTargets;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #resyncMs: number;

  constructor(options: WebhookCertManagerOptions) {
    for (const key of ['namespace', 'secretName', 'serviceName', 'certDir'] as const) {
      if (typeof options[key] !== 'string' || options[key] === '') throw new CertManagerError({ reason: 'InvalidOptions', message: `WebhookCertManager: ${key} is required` });
    }
    const renewFraction = options.renewFraction ?? 2 / 3;
    if (!(renewFraction > 0 && renewFraction < 1)) throw new CertManagerError({ reason: 'InvalidOptions', message: `WebhookCertManager: renewFraction must be between 0 and 1, not ${renewFraction}` });
    this.#resyncMs = positive('resyncMs', options.resyncMs ?? 60_000);
    const propagationMs = positive('propagationMs', options.propagationMs ?? 5 * 60_000);
    if (propagationMs <= this.#resyncMs) {
      throw new CertManagerError({ reason: 'InvalidOptions', message: `WebhookCertManager: propagationMs (${propagationMs}) must exceed resyncMs (${this.#resyncMs}), so every replica reads a change before the next step` });
    }
    const { serviceName, namespace } = options;
    this.#policy = {
      caValidityMs: positive('caValidityMs', options.caValidityMs ?? 5 * 365 * DAY_MS),
      leafValidityMs: positive('leafValidityMs', options.leafValidityMs ?? 90 * DAY_MS),
      renewFraction,
      propagationMs,
      dnsNames: [`${serviceName}.${namespace}.svc`, `${serviceName}.${namespace}.svc.cluster.local`],
    };
    this.#targets = { mutating: options.webhookConfigurations?.mutating ?? [], validating: options.webhookConfigurations?.validating ?? [], crds: options.crds ?? [] };
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'webhook-cert-manager', secret: `${namespace}/${options.secretName}` });
  }

  /** The DNS names of the serving certificate. */
  get dnsNames(): readonly string[] {
    return this.#policy.dnsNames;
  }

  /**
   * Reads the Secret, takes every step that is due (writing the Secret), writes the certificate
   * files and patches the CA bundle. Call once before the webhook server starts.
   * @throws CertManagerError `SecretFailed` (with the API error as cause) or `CertDirFailed`.
   */
  async sync(signal?: AbortSignal): Promise<CertSyncResult> {
    const { client, namespace, secretName } = this.#options;
    const key = { namespace, name: secretName };
    for (let attempt = 1; ; attempt += 1) {
      let secret: Secret | undefined;
      try {
        secret = await client.get(Secret, key, withSignal(signal));
      } catch (err) {
        if (!isNotFound(err)) throw this.#secretError('read', err);
      }
      const stored = decode(secret?.data);
      let texts = stored;
      const steps: string[] = [];
      let step = nextStep(readCertState(texts), this.#clock.now(), this.#policy);
      while (step.action !== 'none' && steps.length < 4) {
        this.#logger.info('webhook certificate step', { action: step.action, why: step.why });
        texts = applyStep(readCertState(texts), texts, step, { now: this.#clock.now(), policy: this.#policy, caName: `${this.#options.serviceName}-ca` });
        steps.push(step.action);
        step = nextStep(readCertState(texts), this.#clock.now(), this.#policy);
      }
      if (steps.length > 0) {
        try {
          if (secret === undefined) {
            await client.create(Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace }, type: 'kubernetes.io/tls', data: encode(texts) }, withSignal(signal));
          } else {
            await client.update(Secret, { ...secret, data: { ...secret.data, ...encode(texts) } }, withSignal(signal));
          }
        } catch (err) {
          if ((isConflict(err) || isAlreadyExists(err)) && attempt < MAX_ATTEMPTS) {
            this.#logger.debug('another replica wrote the webhook certificate Secret first; reading it again', {});
            continue;
          }
          throw this.#secretError('write', err);
        }
      }
      return this.#publish(texts, steps, step.action === 'none' ? step.nextAt : this.#clock.now(), signal);
    }
  }

  async #publish(texts: CertTexts, steps: string[], nextAt: number, signal?: AbortSignal): Promise<CertSyncResult> {
    const { cert = '', key = '', caBundle = '' } = texts;
    const filesChanged = await writeCertFiles({ dir: this.#options.certDir, certName: this.#options.certName, keyName: this.#options.keyName, caName: this.#options.caName }, { cert, key, caBundle });
    let injected;
    try {
      injected = await injectCaBundle(this.#options.client, this.#targets, caBundle, signal);
    } catch (err) {
      throw new CertManagerError({ reason: 'SecretFailed', message: `cannot patch the CA bundle into the webhook configurations or CRDs: ${describeError(err)}`, cause: err, retryable: true });
    }
    if (injected.missing.length > 0) this.#logger.warn('objects to receive the webhook CA bundle do not exist yet', { missing: injected.missing });
    if (filesChanged || injected.patched.length > 0) this.#logger.info('webhook certificates published', { filesChanged, patched: injected.patched });
    return { steps, filesChanged, patched: injected.patched, missing: injected.missing, nextAt };
  }

  #secretError(what: 'read' | 'write', cause: unknown): CertManagerError {
    const { namespace, secretName } = this.#options;
    return new CertManagerError({ reason: 'SecretFailed', message: `cannot ${what} the webhook certificate Secret ${namespace}/${secretName}: ${describeError(cause)}`, cause, retryable: true });
  }

  /**
   * Syncs until `signal` aborts: at the next due step of the schedule, and at least every
   * `resyncMs` (another replica may have renewed, or someone reset a caBundle). A failed sync is
   * logged and tried again after `resyncMs`; it never stops the manager.
   */
  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let wait = this.#resyncMs;
      try {
        const result = await this.sync(signal);
        wait = Math.max(0, Math.min(this.#resyncMs, result.nextAt - this.#clock.now()));
      } catch (err) {
        if (signal.aborted) return;
        this.#logger.error('webhook certificate sync failed; trying again', { err, retryInMs: wait });
      }
      try {
        await sleep(this.#clock, wait, signal);
      } catch {
        return;
      }
    }
  }
}
