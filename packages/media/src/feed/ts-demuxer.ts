import { hasIdr, splitAnnexB } from './h264-nal.js';
import { PAT_PID, STREAM_TYPE, TS_PACKET_BYTES, TS_SYNC_BYTE } from './ts-constants.js';

/** A video picture read out of MPEG-TS: PES payload with its raw 33-bit timestamps. */
export interface DemuxedPicture {
  pts: number;
  dts: number;
  keyframe: boolean;
  data: Buffer;
}

export type DemuxedCodec = 'h264' | 'hevc' | 'other';

export interface TsDemuxerHandlers {
  picture(picture: DemuxedPicture): void;
  /** The program's video stream became known (or changed). */
  codec?(codec: DemuxedCodec, streamType: number): void;
}

/**
 * Reads the one video stream of an MPEG-TS byte stream (as ffmpeg writes it) into pictures. A picture is handed over
 * as soon as it is complete: at once when its PES header gives a length (ffmpeg's `-omit_video_pes_length 0` writes
 * it whenever it fits in 16 bits), otherwise when the next picture begins. Bytes arrive in arbitrary chunks; a lost
 * sync byte resynchronises on the next one. Malformed sections or PES headers are skipped, never thrown.
 */
export class TsDemuxer {
  private carry: Buffer = Buffer.alloc(0);
  private pmtPid: number | undefined;
  private videoPid: number | undefined;
  private streamType: number | undefined;
  private pes: { pts: number; dts: number; expected: number | undefined; parts: Buffer[]; bytes: number } | undefined;
  /** Bytes thrown away while looking for sync. */
  skippedBytes = 0;

  constructor(private readonly handlers: TsDemuxerHandlers) {}

  push(chunk: Buffer): void {
    let data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let offset = 0;
    while (data.length - offset >= TS_PACKET_BYTES) {
      if (data[offset] !== TS_SYNC_BYTE) {
        const next = data.indexOf(TS_SYNC_BYTE, offset + 1);
        const skipTo = next < 0 ? data.length : next;
        this.skippedBytes += skipTo - offset;
        offset = skipTo;
        continue;
      }
      this.packet(data.subarray(offset, offset + TS_PACKET_BYTES));
      offset += TS_PACKET_BYTES;
    }
    // Copied: the caller may reuse its chunk.
    this.carry = Buffer.from(data.subarray(offset));
    data = this.carry;
  }

  /** The stream ended: hand over the picture still being collected. */
  flush(): void {
    this.finishPes();
  }

  private packet(packet: Buffer): void {
    const pid = ((packet[1]! & 0x1f) << 8) | packet[2]!;
    const unitStart = (packet[1]! & 0x40) !== 0;
    const adaptation = (packet[3]! >> 4) & 0x3;
    let payloadStart = 4;
    if (adaptation === 2 || adaptation === 3) payloadStart += 1 + packet[4]!;
    if (adaptation === 0 || adaptation === 2 || payloadStart >= TS_PACKET_BYTES) return;
    const payload = packet.subarray(payloadStart);
    if (pid === PAT_PID) {
      if (unitStart) this.readPat(payload);
    } else if (pid === this.pmtPid) {
      if (unitStart) this.readPmt(payload);
    } else if (pid === this.videoPid) {
      this.readVideo(payload, unitStart);
    }
  }

  /** The section after the pointer field, or undefined when it does not fit in this packet. */
  private section(payload: Buffer, tableId: number): Buffer | undefined {
    const start = 1 + payload[0]!;
    if (start + 3 > payload.length || payload[start] !== tableId) return undefined;
    const length = ((payload[start + 1]! & 0x0f) << 8) | payload[start + 2]!;
    const end = start + 3 + length;
    // Sections spanning packets do not occur for one program with one stream; such a table is ignored.
    if (end > payload.length || length < 9) return undefined;
    return payload.subarray(start, end - 4);
  }

  private readPat(payload: Buffer): void {
    const section = this.section(payload, 0x00);
    if (!section) return;
    for (let i = 8; i + 4 <= section.length; i += 4) {
      const program = section.readUInt16BE(i);
      if (program === 0) continue;
      this.pmtPid = section.readUInt16BE(i + 2) & 0x1fff;
      return;
    }
  }

  private readPmt(payload: Buffer): void {
    const section = this.section(payload, 0x02);
    if (!section) return;
    const programInfoLength = section.readUInt16BE(10) & 0x0fff;
    for (let i = 12 + programInfoLength; i + 5 <= section.length; ) {
      const streamType = section[i]!;
      const pid = section.readUInt16BE(i + 1) & 0x1fff;
      const infoLength = section.readUInt16BE(i + 3) & 0x0fff;
      if (streamType === STREAM_TYPE.H264 || streamType === STREAM_TYPE.HEVC || isVideoStreamType(streamType)) {
        if (pid !== this.videoPid || streamType !== this.streamType) {
          this.finishPes();
          this.videoPid = pid;
          this.streamType = streamType;
          const codec = streamType === STREAM_TYPE.H264 ? 'h264' : streamType === STREAM_TYPE.HEVC ? 'hevc' : 'other';
          this.handlers.codec?.(codec, streamType);
        }
        return;
      }
      i += 5 + infoLength;
    }
  }

  private readVideo(payload: Buffer, unitStart: boolean): void {
    if (unitStart) {
      this.finishPes();
      this.startPes(payload);
    } else if (this.pes) {
      this.pes.parts.push(Buffer.from(payload));
      this.pes.bytes += payload.length;
    }
    if (this.pes?.expected !== undefined && this.pes.bytes >= this.pes.expected) this.finishPes();
  }

  private startPes(payload: Buffer): void {
    if (payload.length < 9 || payload[0] !== 0 || payload[1] !== 0 || payload[2] !== 1) return;
    const packetLength = payload.readUInt16BE(4);
    const flags = payload[7]!;
    const headerLength = payload[8]!;
    const dataStart = 9 + headerLength;
    if (dataStart > payload.length || (flags & 0x80) === 0) return;
    const pts = readTimestamp(payload, 9);
    const dts = (flags & 0x40) !== 0 && payload.length >= 19 ? readTimestamp(payload, 14) : pts;
    // PES_packet_length counts the bytes after itself: 3 header bytes, the optional fields, then the data.
    const expected = packetLength > 0 ? packetLength - 3 - headerLength : undefined;
    const first = Buffer.from(payload.subarray(dataStart));
    this.pes = { pts, dts, expected, parts: [first], bytes: first.length };
  }

  private finishPes(): void {
    const pes = this.pes;
    this.pes = undefined;
    if (!pes || pes.bytes === 0) return;
    let data = pes.parts.length === 1 ? pes.parts[0]! : Buffer.concat(pes.parts, pes.bytes);
    if (pes.expected !== undefined && data.length > pes.expected) data = data.subarray(0, pes.expected);
    const keyframe = this.streamType === STREAM_TYPE.H264 ? hasIdr(splitAnnexB(data)) : false;
    this.handlers.picture({ pts: pes.pts, dts: pes.dts, keyframe, data });
  }
}

const isVideoStreamType = (type: number) => type === 0x01 || type === 0x02 || type === 0x10 || type === 0x1b || type === 0x24;

/** A 33-bit PTS or DTS as PES headers spread it over 5 bytes with marker bits. */
function readTimestamp(buffer: Buffer, offset: number): number {
  const b0 = buffer[offset]!;
  const high = (b0 >> 1) & 0x07;
  const mid = buffer.readUInt16BE(offset + 1) >> 1;
  const low = buffer.readUInt16BE(offset + 3) >> 1;
  return high * 2 ** 30 + mid * 2 ** 15 + low;
}
