/**
 * An incremental parser of HTTP/1.1 responses (RFC 9112), fed the bytes of one connection as they
 * arrive. It is what {@link createHttp1Connections} reads answers with instead of `node:http`,
 * whose JavaScript layers (ClientRequest, IncomingMessage, streams, the agent) cost more CPU than
 * the TLS and the server's answer together.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A response the parser cannot read: the connection must be closed. */
export class ResponseParseError extends Error {
  constructor(message: string) {
    super(`malformed HTTP/1.1 response: ${message}`);
    this.name = 'ResponseParseError';
  }
}

/** What the parser reports for one response, in order: its head, its body's pieces, its end. */
export interface ResponseSink {
  /** The status and headers (names lower case; repeated headers joined with `, `, `set-cookie` an array). */
  head(status: number, headers: IncomingHttpHeaders): void;
  /** A piece of the body (dechunked). The buffer may share memory with the connection's. */
  body(chunk: Buffer): void;
  /**
   * The response is complete. `reusable`: the connection may carry the next request (keep-alive,
   * framed body, nothing extra received).
   */
  end(reusable: boolean): void;
}

/** The largest head accepted (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;
/** The largest chunk-size line (size, extensions). */
const MAX_CHUNK_LINE_BYTES = 1024;
const CRLF = 0x0a0d; // "\r\n" read as a little-endian uint16
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;

type State = 'idle' | 'head' | 'fixed' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'until-close' | 'done';

/**
 * Reads the responses of one connection, one at a time: {@link expect} before each request,
 * then {@link feed} with every chunk the socket delivers and {@link close} when it ends.
 *
 * Guarantees: the body's framing follows RFC 9112 §6.3 (no body for HEAD, 1xx, 204 and 304;
 * chunked before Content-Length; otherwise until the connection closes); 1xx interim responses
 * are skipped; a head over 64 KiB, a bad status line, a bad Content-Length or chunk size, or bytes
 * after a complete response throw {@link ResponseParseError}.
 * Caveats: no pipelining (one response expected at a time); trailers are read and dropped.
 */
export class ResponseParser {
  #state: State = 'idle';
  #sink: ResponseSink | undefined;
  #noBody = false;
  /** Bytes of an unfinished head or chunk-size line, kept until the rest arrives. */
  #pending: Buffer | undefined;
  /** Body bytes still to come in this fixed-length body or chunk. */
  #left = 0;
  #keepAlive = true;
  /** Whether the body's end was known from its framing (not the connection's close). */
  #framed = true;

  /** Expects the response to a request; `head` when it was a HEAD request (no body follows). */
  expect(sink: ResponseSink, head = false): void {
    if (this.#state !== 'idle' && this.#state !== 'done') throw new ResponseParseError('a response was expected while another was being read');
    this.#sink = sink;
    this.#noBody = head;
    this.#state = 'head';
    this.#keepAlive = true;
    this.#framed = true;
  }

  /** Whether a response is being read (its head or body not complete yet). */
  get busy(): boolean {
    return this.#state !== 'idle' && this.#state !== 'done';
  }

  /**
   * Feeds the connection's next bytes.
   * @throws ResponseParseError for a malformed response or bytes that no request asked for.
   */
  feed(data: Buffer): void {
    let at = 0;
    if (this.#pending !== undefined) {
      data = Buffer.concat([this.#pending, data]);
      this.#pending = undefined;
    }
    while (at < data.length) {
      switch (this.#state) {
        case 'idle':
        case 'done':
          throw new ResponseParseError(`${data.length - at} bytes arrived that no request asked for`);
        case 'head':
          at = this.#readHead(data, at);
          if (at < 0) return;
          break;
        case 'fixed': {
          const n = Math.min(this.#left, data.length - at);
          this.#left -= n;
          this.#sink?.body(at === 0 && n === data.length ? data : data.subarray(at, at + n));
          at += n;
          if (this.#left === 0) this.#state = 'done';
          break;
        }
        case 'chunk-size':
          at = this.#readChunkSize(data, at);
          if (at < 0) return;
          break;
        case 'chunk-data': {
          const n = Math.min(this.#left, data.length - at);
          this.#left -= n;
          this.#sink?.body(data.subarray(at, at + n));
          at += n;
          if (this.#left === 0) this.#state = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf':
          if (data.length - at < 2) {
            this.#pending = data.subarray(at);
            return;
          }
          if (data.readUInt16LE(at) !== CRLF) throw new ResponseParseError('a chunk is not followed by CRLF');
          at += 2;
          this.#state = 'chunk-size';
          break;
        case 'trailers':
          at = this.#readTrailers(data, at);
          if (at < 0) return;
          break;
        case 'until-close':
          this.#sink?.body(at === 0 ? data : data.subarray(at));
          return;
      }
      if (this.#state === 'done') {
        if (at < data.length) throw new ResponseParseError(`${data.length - at} bytes arrived after the end of the answer`);
        this.#end();
        return;
      }
    }
  }

  /**
   * The connection ended (the peer closed it). Completes a body read until close.
   * @throws ResponseParseError when a response was cut short (head or framed body incomplete).
   */
  close(): void {
    if (this.#state === 'until-close') {
      this.#state = 'done';
      this.#end();
      return;
    }
    if (this.busy) {
      this.#state = 'done';
      this.#sink = undefined;
      throw new ResponseParseError('the connection closed before the end of the answer');
    }
  }

  /** Reports the end of the response just completed (state `done`) and forgets its sink. */
  #end(): void {
    const sink = this.#sink;
    this.#sink = undefined;
    this.#pending = undefined;
    sink?.end(this.#keepAlive && this.#framed);
  }

  #readHead(data: Buffer, at: number): number {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) {
      if (data.length - at > MAX_HEAD_BYTES) throw new ResponseParseError(`the head is larger than ${MAX_HEAD_BYTES} bytes`);
      this.#pending = data.subarray(at);
      return -1;
    }
    if (end - at > MAX_HEAD_BYTES) throw new ResponseParseError(`the head is larger than ${MAX_HEAD_BYTES} bytes`);
    const text = data.toString('latin1', at, end);
    const next = end + 4;
    const firstLine = text.indexOf('\r\n');
    const statusLine = firstLine < 0 ? text : text.slice(0, firstLine);
    // HTTP/1.x SP 3DIGIT [SP reason]
    const match = STATUS_LINE.exec(statusLine);
    if (match === null) throw new ResponseParseError(`bad status line "${statusLine.slice(0, 80)}"`);
    const status = Number(match[2]);
    const headers: IncomingHttpHeaders = {};
    let lineStart = firstLine < 0 ? text.length : firstLine + 2;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\r\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const colon = text.indexOf(':', lineStart);
      if (colon < 0 || colon > lineEnd || colon === lineStart) throw new ResponseParseError(`bad header line "${text.slice(lineStart, Math.min(lineEnd, lineStart + 80))}"`);
      const name = text.slice(lineStart, colon).toLowerCase();
      const value = text.slice(colon + 1, lineEnd).trim();
      const prior = headers[name];
      if (prior === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(prior)) prior.push(value);
      else headers[name] = `${prior}, ${value}`;
      lineStart = lineEnd + 2;
    }
    if (status < 200) {
      // an interim response (100 Continue, 103 Early Hints): the final one follows
      return next;
    }
    const version1 = match[1] === '0'; // HTTP/1.0
    const connection = headers['connection'];
    const connectionTokens = typeof connection === 'string' ? connection.toLowerCase() : '';
    this.#keepAlive = version1 ? connectionTokens.includes('keep-alive') : !connectionTokens.includes('close');
    const sink = this.#sink;
    if (this.#noBody || status === 204 || status === 304) {
      this.#state = 'done';
      sink?.head(status, headers);
      return next;
    }
    const te = headers['transfer-encoding'];
    if (typeof te === 'string' && te.toLowerCase().includes('chunked')) {
      this.#state = 'chunk-size';
    } else if (headers['content-length'] !== undefined) {
      const raw = String(headers['content-length']);
      if (!/^\d{1,15}$/.test(raw)) throw new ResponseParseError(`bad Content-Length "${raw.slice(0, 40)}"`);
      this.#left = Number(raw);
      this.#state = this.#left === 0 ? 'done' : 'fixed';
    } else {
      this.#state = 'until-close';
      this.#framed = false;
    }
    sink?.head(status, headers);
    return next;
  }

  #readChunkSize(data: Buffer, at: number): number {
    const end = data.indexOf('\r\n', at, 'latin1');
    if (end < 0) {
      if (data.length - at > MAX_CHUNK_LINE_BYTES) throw new ResponseParseError('a chunk-size line is too long');
      this.#pending = data.subarray(at);
      return -1;
    }
    const line = data.toString('latin1', at, end);
    const semicolon = line.indexOf(';');
    const hex = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ResponseParseError(`bad chunk size "${line.slice(0, 40)}"`);
    const size = parseInt(hex, 16);
    if (size === 0) this.#state = 'trailers';
    else {
      this.#left = size;
      this.#state = 'chunk-data';
    }
    return end + 2;
  }

  #readTrailers(data: Buffer, at: number): number {
    // trailer fields end with an empty line; most answers have none: "\r\n" right away
    if (data.length - at >= 2 && data.readUInt16LE(at) === CRLF) {
      this.#state = 'done';
      return at + 2;
    }
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) {
      if (data.length - at > MAX_HEAD_BYTES) throw new ResponseParseError(`the trailers are larger than ${MAX_HEAD_BYTES} bytes`);
      this.#pending = data.subarray(at);
      return -1;
    }
    this.#state = 'done';
    return end + 4;
  }
}
