import type { AccessUnit } from './access-unit.js';
import { crc32Mpeg, PAT_PID, PTS_MODULUS, STREAM_TYPE, TS_PACKET_BYTES, TS_SYNC_BYTE } from './ts-constants.js';

const PMT_PID = 0x1000;
const VIDEO_PID = 0x0100;
const PAYLOAD_BYTES = TS_PACKET_BYTES - 4;

/**
 * Writes H.264 access units as a minimal MPEG-TS (one program, one video stream) that ffmpeg reads from a pipe. PAT
 * and PMT precede every keyframe, so a reader may start at any keyframe; each PES carries its length when it fits, so
 * the reader can decode a picture without waiting for the next one; the PCR rides on every picture's first packet.
 */
export class TsMuxer {
  private readonly continuity = new Map<number, number>();

  /** The TS packets of one access unit (with PAT/PMT in front of a keyframe). */
  mux(unit: AccessUnit): Buffer {
    const packets: Buffer[] = [];
    if (unit.keyframe) packets.push(this.psi(PAT_PID, patSection()), this.psi(PMT_PID, pmtSection()));
    packets.push(...this.pes(unit));
    return Buffer.concat(packets);
  }

  private nextContinuity(pid: number): number {
    const value = ((this.continuity.get(pid) ?? 15) + 1) & 0x0f;
    this.continuity.set(pid, value);
    return value;
  }

  private psi(pid: number, section: Buffer): Buffer {
    const packet = Buffer.alloc(TS_PACKET_BYTES, 0xff);
    packet[0] = TS_SYNC_BYTE;
    packet[1] = 0x40 | (pid >> 8);
    packet[2] = pid & 0xff;
    packet[3] = 0x10 | this.nextContinuity(pid);
    packet[4] = 0; // pointer field
    section.copy(packet, 5);
    return packet;
  }

  private pes(unit: AccessUnit): Buffer[] {
    const pts = unit.pts % PTS_MODULUS;
    const dts = unit.dts % PTS_MODULUS;
    const withDts = dts !== pts;
    const optional = withDts ? 10 : 5;
    const header = Buffer.alloc(9 + optional);
    header.writeUInt32BE(0x000001e0, 0);
    const length = 3 + optional + unit.data.length;
    header.writeUInt16BE(length <= 0xffff ? length : 0, 4);
    header[6] = 0x80;
    header[7] = withDts ? 0xc0 : 0x80;
    header[8] = optional;
    writeTimestamp(header, 9, withDts ? 0x3 : 0x2, pts);
    if (withDts) writeTimestamp(header, 14, 0x1, dts);
    const payload = Buffer.concat([header, unit.data]);

    const packets: Buffer[] = [];
    let offset = 0;
    let first = true;
    while (offset < payload.length) {
      const packet = Buffer.alloc(TS_PACKET_BYTES);
      packet[0] = TS_SYNC_BYTE;
      packet[1] = (first ? 0x40 : 0) | (VIDEO_PID >> 8);
      packet[2] = VIDEO_PID & 0xff;
      // Adaptation field: PCR (and the random access flag) on the first packet, stuffing on a short last one.
      const adaptation = first ? pcrAdaptation(dts, unit.keyframe) : undefined;
      const room = PAYLOAD_BYTES - (adaptation?.length ?? 0);
      const take = Math.min(room, payload.length - offset);
      const stuffing = room - take;
      let field = adaptation;
      if (stuffing > 0) field = stuffedAdaptation(adaptation, stuffing);
      packet[3] = (field ? 0x30 : 0x10) | this.nextContinuity(VIDEO_PID);
      let position = 4;
      if (field) {
        field.copy(packet, 4);
        position += field.length;
      }
      payload.copy(packet, position, offset, offset + take);
      offset += take;
      first = false;
      packets.push(packet);
    }
    return packets;
  }
}

/** Adaptation field (length byte included) carrying a PCR at `dts` on the 90 kHz base. */
function pcrAdaptation(dts: number, randomAccess: boolean): Buffer {
  const field = Buffer.alloc(8);
  field[0] = 7;
  field[1] = 0x10 | (randomAccess ? 0x40 : 0);
  // 33-bit base, 6 reserved bits, 9-bit extension (0).
  const base = dts % PTS_MODULUS;
  field.writeUInt32BE(Math.floor(base / 2), 2);
  field[6] = ((base % 2) << 7) | 0x7e;
  field[7] = 0;
  return field;
}

/** `field` (or a new empty one) grown by `extra` bytes of stuffing. */
function stuffedAdaptation(field: Buffer | undefined, extra: number): Buffer {
  if (!field) {
    if (extra === 1) return Buffer.from([0]);
    const stuffed = Buffer.alloc(extra, 0xff);
    stuffed[0] = extra - 1;
    stuffed[1] = 0;
    return stuffed;
  }
  const stuffed = Buffer.alloc(field.length + extra, 0xff);
  field.copy(stuffed);
  stuffed[0] = field.length + extra - 1;
  return stuffed;
}

function writeTimestamp(buffer: Buffer, offset: number, prefix: number, value: number): void {
  const high = Math.floor(value / 2 ** 30) & 0x07;
  const mid = Math.floor(value / 2 ** 15) & 0x7fff;
  const low = value & 0x7fff;
  buffer[offset] = (prefix << 4) | (high << 1) | 1;
  buffer.writeUInt16BE((mid << 1) | 1, offset + 1);
  buffer.writeUInt16BE((low << 1) | 1, offset + 3);
}

function withCrc(body: Buffer): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg(body));
  return Buffer.concat([body, crc]);
}

function patSection(): Buffer {
  const body = Buffer.from([0x00, 0xb0, 13, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]);
  return withCrc(body);
}

function pmtSection(): Buffer {
  const body = Buffer.from([
    0x02, 0xb0, 18, 0x00, 0x01, 0xc1, 0x00, 0x00,
    0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, // PCR PID
    0xf0, 0x00, // no program descriptors
    STREAM_TYPE.H264, 0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0x00,
  ]);
  return withCrc(body);
}
