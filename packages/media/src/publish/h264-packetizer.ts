import type { AccessUnit } from '../feed/access-unit.js';
import { NAL_TYPE, nalType, splitAnnexB } from '../feed/h264-nal.js';

export interface H264PacketizerOptions {
  ssrc: number;
  payloadType: number;
  /** Largest RTP packet; 1200 leaves room for SRTP and header extensions on any path. */
  maxPacketSize?: number;
}

const RTP_HEADER_BYTES = 12;
const FU_A = 28;

/**
 * H.264 access units into RTP packets (RFC 6184, packetization mode 1): one packet per small NAL unit, FU-A fragments
 * for large ones, the marker bit on the last packet of each picture. The RTP timestamp is the picture's pts (mod 2^32)
 * on the 90 kHz clock, so whoever knows a picture's pts knows its RTP timestamp: that is how overlays find their
 * frame. Access unit delimiters are dropped (WebRTC has no use for them), and SPS/PPS are put in front of any keyframe
 * that lacks them, because a receiver ignores the parameter sets an SDP might carry.
 */
export class H264Packetizer {
  private sequence = Math.floor(Math.random() * 0x10000);
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;
  private readonly maxPayload: number;

  constructor(private readonly options: H264PacketizerOptions) {
    this.maxPayload = (options.maxPacketSize ?? 1200) - RTP_HEADER_BYTES;
  }

  static rtpTimestampOf(pts: number): number {
    return pts % 0x100000000 >>> 0;
  }

  packetize(unit: AccessUnit): Buffer[] {
    let nals = splitAnnexB(unit.data).filter((nal) => nal.length > 0 && nalType(nal) !== NAL_TYPE.AUD);
    for (const nal of nals) {
      if (nalType(nal) === NAL_TYPE.SPS) this.sps = Buffer.from(nal);
      if (nalType(nal) === NAL_TYPE.PPS) this.pps = Buffer.from(nal);
    }
    if (unit.keyframe && !nals.some((nal) => nalType(nal) === NAL_TYPE.SPS) && this.sps && this.pps) {
      nals = [this.sps, this.pps, ...nals];
    }
    const timestamp = H264Packetizer.rtpTimestampOf(unit.pts);
    const packets: Buffer[] = [];
    nals.forEach((nal, index) => {
      const lastNal = index === nals.length - 1;
      if (nal.length <= this.maxPayload) {
        packets.push(this.packet(timestamp, lastNal, nal));
        return;
      }
      const indicator = (nal[0]! & 0xe0) | FU_A;
      const type = nal[0]! & 0x1f;
      const chunk = this.maxPayload - 2;
      for (let offset = 1; offset < nal.length; offset += chunk) {
        const end = Math.min(nal.length, offset + chunk);
        const header = (offset === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
        packets.push(this.packet(timestamp, lastNal && end === nal.length, Buffer.from([indicator, header]), nal.subarray(offset, end)));
      }
    });
    return packets;
  }

  private packet(timestamp: number, marker: boolean, ...payload: Buffer[]): Buffer {
    const length = payload.reduce((sum, part) => sum + part.length, RTP_HEADER_BYTES);
    const packet = Buffer.allocUnsafe(length);
    packet[0] = 0x80;
    packet[1] = (marker ? 0x80 : 0) | this.options.payloadType;
    packet.writeUInt16BE(this.sequence, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.options.ssrc >>> 0, 8);
    let offset = RTP_HEADER_BYTES;
    for (const part of payload) offset += part.copy(packet, offset);
    this.sequence = (this.sequence + 1) & 0xffff;
    return packet;
  }
}
