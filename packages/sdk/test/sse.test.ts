import { describe, expect, it } from 'vitest';
import { MAX_SSE_LINE, readSse, SseLineTooLongError, SseParser, type SseMessage } from '../src/index.js';

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function readAll(chunks: Uint8Array[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of readSse(streamOf(chunks))) out.push(m);
  return out;
}

const STREAM =
  ': ping\n\n' +
  'event: sightline-event\ndata: {"a":"é→"}\n\n' +
  'data: first\r\ndata: second\r\n\r\n' +
  'id: 42\revent: other\rdata\r\r' +
  'event: sightline-event\ndata:no-space\n\n' +
  'data: unfinished';

const EXPECTED: SseMessage[] = [
  { event: 'sightline-event', data: '{"a":"é→"}', id: undefined },
  { event: 'message', data: 'first\nsecond', id: undefined },
  { event: 'other', data: '', id: '42' },
  { event: 'sightline-event', data: 'no-space', id: '42' },
];

describe('readSse', () => {
  it('parses LF, CRLF and CR line ends, comments, multi-line data and ids, and drops an unfinished message', async () => {
    expect(await readAll([new TextEncoder().encode(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same messages however the bytes are split, even inside a UTF-8 character or a CRLF', async () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await readAll([bytes.slice(0, cut), bytes.slice(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
    }
    expect(await readAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('cancels the stream when the reader stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSse(body)) {
      expect(m.data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe('SseParser', () => {
  it('refuses a line longer than the limit instead of buffering it', () => {
    const parser = new SseParser();
    const chunk = 'x'.repeat(64 * 1024);
    expect(() => {
      for (let sent = 0; sent <= MAX_SSE_LINE; sent += chunk.length) Array.from(parser.push(chunk));
    }).toThrow(SseLineTooLongError);
  });
});
