import { fileURLToPath } from 'node:url';
import type { KubeObject, Resource } from '../../runtime/src/api/resource.js';

/** The spec of the test Widget (test/fixtures/crds/widget.yaml). */
export interface WidgetSpec {
  size?: number;
  color?: string;
  [key: string]: unknown;
}

/** The status of the test Widget. */
export interface WidgetStatus {
  observedGeneration?: number;
  phase?: string;
  [key: string]: unknown;
}

/** `widgets.test.opkit.dev/v1`, a namespaced kind with a status subresource. */
export interface Widget extends KubeObject {
  spec?: WidgetSpec;
  status?: WidgetStatus;
}

/** The Widget descriptor. */
export const Widget: Resource<Widget> = {
  group: 'test.opkit.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  subresources: { status: true },
};

/** A descriptor for a kind no server serves, for "kind not served" tests. */
export const Gadget: Resource<KubeObject> = {
  group: 'nope.opkit.dev',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
};

/** Absolute path of the Widget CRD file. */
export const WIDGET_CRD = fileURLToPath(new URL('../fixtures/crds/widget.yaml', import.meta.url));
