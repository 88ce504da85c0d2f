import { request } from 'node:https';

/** TLS material and address of an API server, for the harness's own few raw requests. */
export interface RestTarget {
  readonly server: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A raw response: status code and body text. */
export interface RestResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTPS request to the API server with the admin client certificate.
 * Rejects only on transport errors; HTTP errors come back as a status.
 */
export function restRequest(target: RestTarget, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<RestResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, target.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca: target.ca,
        cert: target.cert,
        key: target.key,
        agent: false,
        timeout: timeoutMs,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The `message` of a Kubernetes Status body, or the raw body. */
export function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    return parsed.message ?? body;
  } catch {
    return body;
  }
}
