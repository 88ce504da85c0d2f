import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Call } from './deadline.js';
import type { TransportRequest } from './transport.js';

/** Which connections a request uses: the shared ones, or a fresh one that is closed after (probes). */
export type ConnectionPool = 'shared' | 'probe';

/** The head of an answer and its body, the same for HTTP/1.1 and HTTP/2. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body; destroying it ends the request (HTTP/1.1: its socket, HTTP/2: its stream). */
  readonly body: Readable;
}

/** A whole answer: its head and its body as text (what `request` parses). */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** The connections of one transport to one API server. */
export interface Connections {
  /**
   * Sends `req` and reads the whole answer (the request path: one promise, no stream handed out);
   * aborting `call` ends the request.
   * @throws ConnectionLostError (HTTP/2) when the connection died before an answer; the I/O error,
   *   or the call's abort reason.
   */
  exchange(req: TransportRequest, accept: string, call: Call): Promise<Reply>;
  /** Sends `req` and resolves with the answer's head; aborting `signal` ends the request. */
  open(req: TransportRequest, accept: string, signal: AbortSignal, pool?: ConnectionPool): Promise<Answer>;
  /**
   * After a stall or a deadline: HTTP/1.1 destroys every idle keep-alive connection (they may be as
   * dead as the stalled one); HTTP/2 checks its connection with a PING and replaces it when no
   * answer comes in time.
   */
  flush(): void;
  /** Destroys every connection. */
  destroy(): void;
}
