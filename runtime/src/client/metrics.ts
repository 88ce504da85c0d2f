/** Hooks the transport calls; the manager's Prometheus sink implements them (`rest_client_*`). */
export interface TransportMetrics {
  /**
   * One answer (or failure: `status` 0) of the API server, with its API Priority and Fairness
   * classification when the server sent one.
   */
  response(o: {
    readonly method: string;
    readonly status: number;
    readonly durationMs: number;
    readonly flowSchemaUid: string | undefined;
    readonly priorityLevelUid: string | undefined;
  }): void;
  /** A request or a watch open passed its deadline; its connection was destroyed. */
  deadlineExceeded(kind: 'request' | 'watch'): void;
  /** A 429/503 asked the client to wait `ms` before the next request to that path. */
  retryAfter(status: number, ms: number): void;
  /** Idle keep-alive connections were destroyed after a stall or a deadline. */
  poolFlushed(): void;
}

/** Records nothing. */
export const noopTransportMetrics: TransportMetrics = {
  response: () => undefined,
  deadlineExceeded: () => undefined,
  retryAfter: () => undefined,
  poolFlushed: () => undefined,
};
