import { describe, expect, test } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { ResponseParser, ResponseParseError } from '../../../runtime/src/client/h1-parser.js';

interface Parsed {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: string;
  ends: boolean[];
}

/** Feeds `pieces` to a parser expecting one response; returns what the sink saw. */
function parse(pieces: readonly (string | Buffer)[], options: { head?: boolean; close?: boolean } = {}): Parsed {
  const parser = new ResponseParser();
  const seen: Parsed = { body: '', ends: [] };
  const chunks: Buffer[] = [];
  parser.expect(
    {
      head(status, headers) {
        seen.status = status;
        seen.headers = headers;
      },
      body(chunk) {
        chunks.push(Buffer.from(chunk));
      },
      end(reusable) {
        seen.ends.push(reusable);
      },
    },
    options.head ?? false,
  );
  for (const piece of pieces) parser.feed(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  if (options.close) parser.close();
  seen.body = Buffer.concat(chunks).toString('utf8');
  return seen;
}

/** Every way of cutting `text` in two (and into single bytes): the parser must give the same result. */
function splits(text: string): Array<Buffer[]> {
  const bytes = Buffer.from(text, 'utf8');
  const out: Array<Buffer[]> = [[bytes], Array.from(bytes, (b) => Buffer.from([b]))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

const KEEP = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\nX-Kubernetes-Pf-Flowschema-Uid: fs\r\n\r\n{"kind":"Pod"}';
const SECOND_CHUNK = '\n{"b":"é€"}\n';
const CHUNKED = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\n{"a":1}\r\n${Buffer.byteLength(SECOND_CHUNK).toString(16)}\r\n${SECOND_CHUNK}\r\n0\r\n\r\n`;

describe('ResponseParser', () => {
  test('a Content-Length answer, cut at every byte: status, lower-case headers, the body, reusable', () => {
    for (const pieces of splits(KEEP)) {
      const seen = parse(pieces);
      expect(seen).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'content-length': '14', 'x-kubernetes-pf-flowschema-uid': 'fs' }, body: '{"kind":"Pod"}', ends: [true] });
    }
  });

  test('a chunked answer, cut at every byte: dechunked (multi-byte UTF-8 across cuts), chunk extensions ignored', () => {
    for (const pieces of splits(CHUNKED)) {
      const seen = parse(pieces);
      expect(seen.body).toBe('{"a":1}\n{"b":"é€"}\n');
      expect(seen.ends).toEqual([true]);
    }
  });

  test('trailers after the last chunk are read and dropped', () => {
    const seen = parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n']);
    expect(seen.body).toBe('ok');
    expect(seen.ends).toEqual([true]);
  });

  test('Connection: close, HTTP/1.0 without keep-alive, and a body read until close are not reusable', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok']).ends).toEqual([false]);
    expect(parse(['HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok']).ends).toEqual([false]);
    expect(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok']).ends).toEqual([true]);
    const untilClose = parse(['HTTP/1.1 200 OK\r\n\r\nsome', ' text'], { close: true });
    expect(untilClose.body).toBe('some text');
    expect(untilClose.ends).toEqual([false]);
  });

  test('no body for 204, 304 and HEAD; 1xx interim answers are skipped', () => {
    expect(parse(['HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n'])).toMatchObject({ status: 204, body: '', ends: [true] });
    expect(parse(['HTTP/1.1 304 Not Modified\r\n\r\n'])).toMatchObject({ status: 304, ends: [true] });
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], { head: true })).toMatchObject({ status: 200, body: '', ends: [true] });
    expect(parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}'])).toMatchObject({ status: 201, body: '{}', ends: [true] });
  });

  test('repeated headers are joined, set-cookie kept apart', () => {
    const seen = parse(['HTTP/1.1 200 OK\r\nWarning: 299 - "a"\r\nwarning: 299 - "b"\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n']);
    expect(seen.headers?.['warning']).toBe('299 - "a", 299 - "b"');
    expect(seen.headers?.['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  test('one parser reads the answers of one connection in turn', () => {
    const parser = new ResponseParser();
    const bodies: string[] = [];
    for (const answer of [KEEP, CHUNKED, KEEP]) {
      let body = '';
      parser.expect({ head: () => undefined, body: (c) => (body += c.toString('utf8')), end: () => bodies.push(body) });
      parser.feed(Buffer.from(answer, 'utf8'));
    }
    expect(bodies).toEqual(['{"kind":"Pod"}', '{"a":1}\n{"b":"é€"}\n', '{"kind":"Pod"}']);
  });

  test('malformed answers throw ResponseParseError naming what is wrong', () => {
    const bad: Array<[string, RegExp]> = [
      ['SPDY/3 200 OK\r\n\r\n', /bad status line "SPDY\/3 200 OK"/],
      ['HTTP/1.1 2x0 OK\r\n\r\n', /bad status line/],
      ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /bad header line "no colon here"/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length "-1"/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size "zz"/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX', /a chunk is not followed by CRLF/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA', /5 bytes arrived after the end of the answer/],
      [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}`, /the head is larger than 65536 bytes/],
    ];
    for (const [text, message] of bad) {
      expect(() => parse([text]), text.slice(0, 40)).toThrow(ResponseParseError);
      expect(() => parse([text])).toThrow(message);
    }
  });

  test('a connection that closes in the middle of an answer, or bytes nobody asked for, throw', () => {
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'], { close: true })).toThrow(/closed before the end of the answer/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Le'], { close: true })).toThrow(/closed before the end of the answer/);
    const parser = new ResponseParser();
    expect(() => parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/arrived that no request asked for/);
  });
});
