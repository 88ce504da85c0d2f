import type { Registry } from 'prom-client';
import { counterFamily, gaugeFamily, histogramFamily, type ScalarChild } from '../metrics/families.js';

/** The webhook server's metrics sink (one call per request; `webhook` is the handler's path). */
export interface WebhookMetrics {
  /** A request to a registered path arrived (in flight + 1). */
  requestStarted(webhook: string): void;
  /** It was answered with HTTP `code` after `seconds` (in flight - 1). */
  requestFinished(webhook: string, code: number, seconds: number): void;
  /** Its handler threw or timed out (the request was answered with a failure). */
  handlerFailed(webhook: string): void;
}

/** Prometheus' default buckets, which controller-runtime's webhook latency histogram uses. */
export const WEBHOOK_LATENCY_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** A sink that records nothing. */
export const noWebhookMetrics: WebhookMetrics = Object.freeze({ requestStarted() {}, requestFinished() {}, handlerFailed() {} });

/**
 * The webhook metrics under controller-runtime's names, registered on `registry`:
 * `controller_runtime_webhook_requests_total{webhook,code}`,
 * `controller_runtime_webhook_latency_seconds{webhook}` (histogram),
 * `controller_runtime_webhook_requests_in_flight{webhook}` and
 * `controller_runtime_webhook_panics_total` (handlers that threw or timed out).
 *
 * Guarantees: label state is resolved once per path (and code); an update is a field write.
 * Caveats: call once per registry (a second call throws: the names are taken).
 */
export function prometheusWebhookMetrics(registry: Registry): WebhookMetrics {
  const total = counterFamily({ registry, name: 'controller_runtime_webhook_requests_total', help: 'Total number of admission requests by HTTP status code.', labelNames: ['webhook', 'code'] });
  const latency = histogramFamily({ registry, name: 'controller_runtime_webhook_latency_seconds', help: 'Histogram of the latency of processing admission requests', labelNames: ['webhook'], buckets: WEBHOOK_LATENCY_BUCKETS });
  const inFlight = gaugeFamily({ registry, name: 'controller_runtime_webhook_requests_in_flight', help: 'Current number of admission requests being served.', labelNames: ['webhook'] });
  const panics = counterFamily({ registry, name: 'controller_runtime_webhook_panics_total', help: 'Total number of webhook panics', labelNames: [] }).child({});
  const perPath = new Map<string, { inFlight: ScalarChild; latency: (s: number) => void; codes: Map<number, ScalarChild> }>();
  const of = (webhook: string) => {
    let p = perPath.get(webhook);
    if (p === undefined) perPath.set(webhook, (p = { inFlight: inFlight.child({ webhook }), latency: latency.observer({ webhook }), codes: new Map() }));
    return p;
  };
  return {
    requestStarted: (webhook) => void of(webhook).inFlight.value++,
    requestFinished: (webhook, code, seconds) => {
      const p = of(webhook);
      p.inFlight.value--;
      p.latency(seconds);
      let c = p.codes.get(code);
      if (c === undefined) p.codes.set(code, (c = total.child({ webhook, code: String(code) })));
      c.value++;
    },
    handlerFailed: () => void panics.value++,
  };
}
