import type { KubeConfig } from '@kubernetes/client-node';
import { createClient, type Client } from '../../runtime/src/client/client.js';
import { createTransport, type Transport } from '../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../runtime/src/testing/index.js';
import { WIDGET_CRD } from './widget.js';

/** A started control plane with the Widget CRD installed, and a direct (uncached) client to it. */
export interface WidgetControlPlane {
  readonly env: TestEnvironment;
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  readonly transport: Transport;
  readonly client: Client;
}

/** Starts one control plane for a test file (call it from `beforeAll`). */
export async function startWidgetControlPlane(): Promise<WidgetControlPlane> {
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD] });
  const { kubeConfig, kubeconfigPath } = await env.start();
  const transport = createTransport(kubeConfig);
  return { env, kubeConfig, kubeconfigPath, transport, client: createClient(transport) };
}

/** Stops what {@link startWidgetControlPlane} started (call it from `afterAll`); tolerates a failed start. */
export async function stopWidgetControlPlane(plane: Partial<WidgetControlPlane>): Promise<void> {
  plane.transport?.close();
  await plane.env?.stop();
}
