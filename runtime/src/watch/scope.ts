/** Which objects a watch (and so an informer) covers: one watch per distinct scope, shared by every user. */
export interface InformerScope {
  /** Namespace to watch; all namespaces when omitted. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}
