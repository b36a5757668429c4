import { describe, expect, it } from 'vitest';
import { SseParser } from '../../sdk/src/sse.js';
import { SseLineParser } from '../src/sse-reader.js';

const stream = 'event: session\ndata: {"a":1}\n\n: keep-alive\n\nevent: session\r\ndata: line one\r\ndata: line two\r\n\r\ndata: plain\r\r' + 'retry: 10\nid: 7\nevent: other\ndata:no space\n\n';

describe('the player SSE parser', () => {
  it('parses events, comments and every line ending like the SDK parser, whatever the chunking', () => {
    const expected = [...new SseParser().push(stream)].map(({ event, data }) => ({ event, data }));
    expect(expected).toHaveLength(4);
    for (const size of [1, 2, 3, 7, 1000]) {
      const parser = new SseLineParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('drops an unfinished event and refuses endless lines', () => {
    const parser = new SseLineParser();
    expect(parser.push('event: session\ndata: {}\n')).toEqual([]);
    expect(() => new SseLineParser().push('x'.repeat(1024 * 1024 + 1))).toThrow(/longer than/);
  });
});
