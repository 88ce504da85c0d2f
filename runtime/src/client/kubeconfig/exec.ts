import { execFile } from 'node:child_process';
import type { Clock } from '../../util/clock.js';
import type { CredentialSource } from '../rest-config.js';
import { KubeConfigError } from './errors.js';
import type { KubeconfigCluster, KubeconfigExec } from './file.js';

/** What an exec plugin printed: client-go's ExecCredential `status`. */
export interface ExecCredentialStatus {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** RFC 3339; absent: valid until a 401. */
  readonly expirationTimestamp?: string;
}

/** Options of {@link execCredentials}. */
export interface ExecCredentialsOptions {
  readonly exec: KubeconfigExec;
  /** The user's name and kubeconfig file, for error messages. */
  readonly user: string;
  readonly file: string;
  /** Given to the plugin in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set. */
  readonly cluster: KubeconfigCluster;
  /** The plugin's environment (the exec entry's `env` is added on top). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** How long one run may take, in ms (default 60 000). */
  readonly timeoutMs?: number;
}

/** An exec credential plugin as a {@link CredentialSource}, plus its first answer. */
export interface ExecCredentials extends CredentialSource {
  /** Runs the plugin unless its last answer is still valid; resolves with that answer. */
  current(): Promise<ExecCredentialStatus>;
}

const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/**
 * Runs a kubeconfig `exec` credential plugin (client-go's protocol: `KUBERNETES_EXEC_INFO` in,
 * an ExecCredential on stdout) and caches its answer until `expirationTimestamp` or a 401.
 *
 * Guarantees: at most one run at a time; a run that fails rejects every waiting request with
 * {@link KubeConfigError} `ExecFailed` naming the command, its stderr and the install hint, and the
 * next request tries again.
 * Caveats: plugins run without a terminal (`interactive: false`); one whose `interactiveMode` is
 * `Always` is refused at load. A client certificate in the answer is only used when the loader
 * reads it at start-up (see `loadKubeConfig`).
 */
export function execCredentials(options: ExecCredentialsOptions): ExecCredentials {
  const { exec, clock } = options;
  let cached: { status: ExecCredentialStatus; expiresAt: number } | undefined;
  let running: Promise<ExecCredentialStatus> | undefined;
  const fail = (message: string, cause?: unknown): KubeConfigError =>
    new KubeConfigError({
      reason: 'ExecFailed',
      message: `the exec credential plugin "${exec.command ?? ''}" of user "${options.user}" (${options.file}) ${message}${exec.installHint ? `\n${exec.installHint}` : ''}`,
      cause,
      retryable: true,
    });

  const run = (): Promise<ExecCredentialStatus> =>
    new Promise((resolve, reject) => {
      const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
      const info = {
        apiVersion,
        kind: 'ExecCredential',
        spec: {
          interactive: false,
          ...(exec.provideClusterInfo
            ? {
                cluster: {
                  server: options.cluster.server,
                  ...(options.cluster['tls-server-name'] ? { 'tls-server-name': options.cluster['tls-server-name'] } : {}),
                  ...(options.cluster['certificate-authority-data'] ? { 'certificate-authority-data': options.cluster['certificate-authority-data'] } : {}),
                  ...(options.cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
                },
              }
            : {}),
        },
      };
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
      for (const { name, value } of exec.env ?? []) env[name] = value;
      env['KUBERNETES_EXEC_INFO'] = JSON.stringify(info);
      execFile(exec.command ?? '', [...(exec.args ?? [])], { env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return reject(fail(code === 'ENOENT' ? 'was not found on PATH; install it' : `failed (${err.message.split('\n')[0] ?? ''})${stderr.trim() ? `: ${stderr.trim()}` : ''}`, err));
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(stdout);
        } catch (cause) {
          return reject(fail(`printed no JSON ExecCredential (it starts with ${JSON.stringify(stdout.slice(0, 80))})`, cause));
        }
        const cred = parsed as { apiVersion?: string; kind?: string; status?: ExecCredentialStatus };
        if (cred.kind !== 'ExecCredential' || !cred.status) return reject(fail('printed JSON that is not an ExecCredential with a status'));
        if (cred.apiVersion !== apiVersion) return reject(fail(`answered with apiVersion "${cred.apiVersion ?? ''}", but the kubeconfig asks for "${apiVersion}"`));
        if (!cred.status.token && !(cred.status.clientCertificateData && cred.status.clientKeyData))
          return reject(fail('answered with neither a token nor a client certificate and key'));
        resolve(cred.status);
      });
    });

  const current = (): Promise<ExecCredentialStatus> => {
    if (cached && clock.now() < cached.expiresAt) return Promise.resolve(cached.status);
    return (running ??= run().then(
      (status) => {
        running = undefined;
        const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : Infinity;
        cached = { status, expiresAt: Number.isNaN(expiresAt) ? Infinity : expiresAt };
        return status;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    ));
  };

  return {
    current,
    authorization() {
      if (cached && clock.now() < cached.expiresAt) return cached.status.token === undefined ? undefined : `Bearer ${cached.status.token}`;
      return current().then((s) => (s.token === undefined ? undefined : `Bearer ${s.token}`));
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/** Whether `apiVersion` is an ExecCredential version this loader speaks. */
export function supportedExecApiVersion(apiVersion: string | undefined): boolean {
  return apiVersion === undefined || API_VERSIONS.includes(apiVersion);
}
