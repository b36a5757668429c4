/** One server-sent event: its name (`message` when none was given) and data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** A line longer than this means the peer is not speaking SSE: stop rather than buffer without end. */
const MAX_LINE = 1024 * 1024;

/**
 * The WHATWG event-stream format, fed with decoded text chunks (which may split lines anywhere). Lines end in LF,
 * CRLF or CR; comments (`: keep-alive`) are skipped; `id` and `retry` are ignored (the caller reconnects itself).
 * The same rules as the SDK's parser, kept here because the player has no runtime dependencies.
 */
export class SseLineParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  /** The events completed by this chunk. Throws on a line longer than 1 MiB. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the very end waits for the next chunk, which may start with its LF.
      if (c === 13 && i + 1 === this.buffer.length) break;
      const event = this.line(this.buffer.slice(start, i));
      if (event) events.push(event);
      if (c === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > MAX_LINE) throw new Error(`an event-stream line is longer than ${MAX_LINE} characters`);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      const event = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}
