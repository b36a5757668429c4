/** One Server-Sent Events message: its event name (`message` when none was given), data and last event id. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

/** A line longer than this means the peer is not speaking SSE; stop rather than buffer without end. */
export const MAX_SSE_LINE = 1024 * 1024;

export class SseLineTooLongError extends Error {
  override readonly name = 'SseLineTooLongError';
}

/**
 * Parses an SSE byte stream (the WHATWG event-stream format) into messages. Chunks may split lines, lines may end
 * in LF, CRLF or CR, comment lines (`: ping`) are skipped and an unfinished message at the end is dropped, as the
 * format says. Leaving the loop early cancels the stream, which closes the connection.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The line and field state of one stream, fed with decoded text. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private lastId: string | undefined;
  /** How much of `buffer` is known to hold no line break, so a long line is not rescanned on every chunk. */
  private scanned = 0;

  *push(text: string): Generator<SseMessage> {
    this.buffer += text;
    let start = 0;
    while (true) {
      const end = this.findLineEnd(Math.max(start, this.scanned));
      if (end === undefined) break;
      const message = this.line(this.buffer.slice(start, end.at));
      start = end.at + end.length;
      if (message) yield message;
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = this.buffer.endsWith('\r') ? this.buffer.length - 1 : this.buffer.length;
    if (this.buffer.length > MAX_SSE_LINE) throw new SseLineTooLongError(`an event-stream line is longer than ${MAX_SSE_LINE} characters`);
  }

  /** The next line break at or after `from`; a CR at the very end waits for the next chunk, which may start with LF. */
  private findLineEnd(from: number): { at: number; length: number } | undefined {
    for (let i = from; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c === 10) return { at: i, length: 1 };
      if (c === 13) {
        if (i + 1 === this.buffer.length) return undefined;
        return { at: i, length: this.buffer.charCodeAt(i + 1) === 10 ? 2 : 1 };
      }
    }
    return undefined;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    // `retry` and unknown fields are ignored: this reader does not reconnect.
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const message = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), id: this.lastId } : undefined;
    this.event = '';
    this.data = [];
    return message;
  }
}
