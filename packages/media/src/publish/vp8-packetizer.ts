import { randomInt } from 'node:crypto';
import type { AccessUnit } from '../feed/access-unit.js';

export interface Vp8PacketizerOptions {
  ssrc: number;
  payloadType: number;
  /** Largest RTP packet; 1200 leaves room for SRTP and header extensions on any path. */
  maxPacketSize?: number;
  /**
   * Carry a 15-bit PictureID in each payload descriptor (default true): receivers (Chrome's among them) use it to tell
   * a lost frame from a late one without waiting for sequence numbers.
   */
  pictureId?: boolean;
}

const RTP_HEADER_BYTES = 12;
/** Payload descriptor bits (RFC 7741 §4.2): X (extended control bits present), S (start of a partition). */
const DESCRIPTOR_X = 0x80;
const DESCRIPTOR_S = 0x10;
/** Extended control bits: I (PictureID present). */
const EXTENSION_I = 0x80;
/** PictureID's M bit: the 15-bit form. */
const PICTURE_ID_LONG = 0x8000;

/**
 * VP8 frames into RTP packets (RFC 7741). Each frame is split into packets of about equal size (never a tiny last
 * one); the first carries S=1 with partition index 0, the others S=0 (the frame is not split at partition boundaries,
 * which the RFC allows and libwebrtc does too), the last has the marker bit. With `pictureId` each packet carries
 * X=1, I=1 and a 15-bit PictureID that grows by one per frame. N (non-reference) is never set: every frame libvpx makes
 * here is a reference. The RTP timestamp is the frame's pts (mod 2^32) on the 90 kHz clock, as for H.264.
 */
export class Vp8Packetizer {
  #sequence = randomInt(0, 0x10000);
  #pictureId = randomInt(0, 0x8000);
  readonly #maxPayload: number;
  readonly #descriptorBytes: number;

  constructor(private readonly options: Vp8PacketizerOptions) {
    this.#descriptorBytes = (options.pictureId ?? true) ? 4 : 1;
    this.#maxPayload = (options.maxPacketSize ?? 1200) - RTP_HEADER_BYTES - this.#descriptorBytes;
    if (this.#maxPayload < 1) throw new Error(`maxPacketSize ${options.maxPacketSize} leaves no room for VP8 payload`);
  }

  /** The PictureID the next frame gets. */
  get nextPictureId(): number {
    return this.#pictureId;
  }

  packetize(unit: AccessUnit): Buffer[] {
    const frame = unit.data;
    if (frame.length === 0) return [];
    const timestamp = unit.pts % 0x100000000 >>> 0;
    const count = Math.ceil(frame.length / this.#maxPayload);
    const size = Math.ceil(frame.length / count);
    const packets: Buffer[] = [];
    for (let offset = 0; offset < frame.length; offset += size) {
      const end = Math.min(frame.length, offset + size);
      packets.push(this.#packet(timestamp, offset === 0, end === frame.length, frame.subarray(offset, end)));
    }
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
    return packets;
  }

  #packet(timestamp: number, first: boolean, last: boolean, payload: Buffer): Buffer {
    const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + this.#descriptorBytes + payload.length);
    packet[0] = 0x80;
    packet[1] = (last ? 0x80 : 0) | this.options.payloadType;
    packet.writeUInt16BE(this.#sequence, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.options.ssrc >>> 0, 8);
    let offset = RTP_HEADER_BYTES;
    if (this.#descriptorBytes === 4) {
      packet[offset++] = DESCRIPTOR_X | (first ? DESCRIPTOR_S : 0); // partition index 0
      packet[offset++] = EXTENSION_I;
      packet.writeUInt16BE(PICTURE_ID_LONG | this.#pictureId, offset);
      offset += 2;
    } else {
      packet[offset++] = first ? DESCRIPTOR_S : 0;
    }
    payload.copy(packet, offset);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    return packet;
  }
}

/** Whether a VP8 frame (its first bytes: the frame tag) is a key frame: the P bit is 0 and the start code follows. */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  return frame.length >= 10 && (frame[0]! & 0x01) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a;
}

/** A VP8 key frame's picture size (14 bits each; the scaling bits are dropped), or undefined for an inter frame. */
export function vp8KeyframeSize(frame: Uint8Array): { width: number; height: number } | undefined {
  if (!isVp8Keyframe(frame)) return undefined;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}
