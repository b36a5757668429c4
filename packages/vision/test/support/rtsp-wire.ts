/**
 * RTSP 1.0 wire format (RFC 2326 §4, §6, §7, §10.12): text requests and responses with MIME-style headers
 * and an optional Content-Length body, mixed on one TCP connection with `$`-prefixed interleaved binary
 * frames (`$`, channel byte, 16-bit big-endian length, payload). TCP may split or merge any of these, so
 * the reader buffers bytes and only hands out complete messages.
 */

export interface RtspRequest {
  method: string;
  url: string;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface InterleavedFrame {
  channel: number;
  payload: Buffer;
}

export type RtspWireMessage = { kind: 'request'; request: RtspRequest } | { kind: 'frame'; frame: InterleavedFrame };

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
const HEADER_END = Buffer.from('\r\n\r\n');
/** A request head larger than this is not RTSP; the connection is treated as broken. */
const MAX_HEAD_BYTES = 64 * 1024;

export class RtspWireError extends Error {
  override readonly name = 'RtspWireError';
}

/** Accumulates TCP chunks and yields every complete message they hold, in order. */
export class RtspWireReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Throws RtspWireError on bytes that cannot be RTSP (the caller should drop the connection). */
  *push(chunk: Buffer): Generator<RtspWireMessage> {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length > 0) {
      // Like HTTP (RFC 7230 §3.5), tolerate empty lines between messages.
      if (this.buffered[0] === CR || this.buffered[0] === LF) {
        this.buffered = this.buffered.subarray(1);
        continue;
      }
      const message = this.buffered[0] === DOLLAR ? this.takeFrame() : this.takeRequest();
      if (message === null) return;
      yield message;
    }
  }

  private takeFrame(): RtspWireMessage | null {
    if (this.buffered.length < 4) return null;
    const length = this.buffered.readUInt16BE(2);
    if (this.buffered.length < 4 + length) return null;
    const frame = { channel: this.buffered[1] as number, payload: Buffer.from(this.buffered.subarray(4, 4 + length)) };
    this.buffered = this.buffered.subarray(4 + length);
    return { kind: 'frame', frame };
  }

  private takeRequest(): RtspWireMessage | null {
    const headEnd = this.buffered.indexOf(HEADER_END);
    if (headEnd < 0) {
      if (this.buffered.length > MAX_HEAD_BYTES) throw new RtspWireError('RTSP request head too large');
      return null;
    }
    const [requestLine = '', ...headerLines] = this.buffered.subarray(0, headEnd).toString('utf8').split('\r\n');
    const match = /^([A-Z_]+) (\S+) RTSP\/1\.0$/.exec(requestLine);
    if (!match) throw new RtspWireError(`not an RTSP request line: ${JSON.stringify(requestLine.slice(0, 80))}`);
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const contentLength = Number(headers.get('content-length') ?? 0);
    if (!Number.isInteger(contentLength) || contentLength < 0) throw new RtspWireError('bad Content-Length');
    const bodyStart = headEnd + HEADER_END.length;
    if (this.buffered.length < bodyStart + contentLength) return null;
    const body = Buffer.from(this.buffered.subarray(bodyStart, bodyStart + contentLength));
    this.buffered = this.buffered.subarray(bodyStart + contentLength);
    return { kind: 'request', request: { method: match[1] as string, url: match[2] as string, headers, body } };
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
};

/** A complete response; CSeq must be echoed from the request (RFC 2326 §12.17). */
export function encodeResponse(
  status: number,
  cseq: string | undefined,
  headers: Record<string, string> = {},
  body: string = '',
): Buffer {
  const lines = [`RTSP/1.0 ${status} ${REASONS[status] ?? 'Error'}`];
  if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const bodyBytes = Buffer.from(body, 'utf8');
  if (bodyBytes.length > 0) lines.push(`Content-Length: ${bodyBytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), bodyBytes]);
}

export function encodeInterleaved(channel: number, payload: Buffer): Buffer {
  const head = Buffer.from([DOLLAR, channel, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}
