import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../runtime/src/watch/lines.js';

function split(chunks: readonly string[], stopAt?: string): { lines: string[]; results: boolean[] } {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => {
    lines.push(line);
    return line !== stopAt;
  });
  const results = chunks.map((c) => splitter.push(c));
  splitter.end();
  return { lines, results };
}

describe('LineSplitter', () => {
  it('hands over each line of a chunk that holds several, in order, without the newline', () => {
    expect(split(['{"a":1}\n{"b":2}\n{"c":3}\n']).lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('joins a line that spans chunks, however it is cut', () => {
    const text = '{"type":"ADDED","object":{"x":"ü€"}}\n{"type":"MODIFIED"}\n';
    for (let cut = 1; cut < text.length; cut++) {
      for (let cut2 = cut; cut2 < text.length; cut2 += 7) {
        expect(split([text.slice(0, cut), text.slice(cut, cut2), text.slice(cut2)]).lines).toEqual(['{"type":"ADDED","object":{"x":"ü€"}}', '{"type":"MODIFIED"}']);
      }
    }
  });

  it('skips blank keep-alive lines and strips a trailing carriage return', () => {
    expect(split(['\n  \n{"a":1}\r\n', '\r\n', '\t\n{"b":2}\n']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('hands over a last line without a newline at the end, and nothing when the stream ended on one', () => {
    expect(split(['{"a":1}\n{"b"', ':2}']).lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(split(['{"a":1}\n']).lines).toEqual(['{"a":1}']);
  });

  it('stops splitting the chunk when the receiver returns false', () => {
    const { lines, results } = split(['{"a":1}\n{"stop":1}\n{"c":3}\n'], '{"stop":1}');
    expect(lines).toEqual(['{"a":1}', '{"stop":1}']);
    expect(results).toEqual([false]);
  });
});
