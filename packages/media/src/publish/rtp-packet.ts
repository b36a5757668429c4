/** The fixed RTP header fields, as RFC 3550 lays them out. */
export interface RtpHeader {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Bytes before the payload: fixed header, CSRCs and the header extension. */
  headerLength: number;
}

const FIXED_HEADER_BYTES = 12;

/**
 * RTCP shares the socket with RTP (ffmpeg is told to send its RTCP to the same port); RFC 5761 tells them apart by
 * the second byte, which is an RTCP packet type (192..223) but never a valid marker+payload-type pair for video.
 */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;
}

/** Parse an RTP header, or return undefined when `packet` is not a well-formed RTP version 2 packet. */
export function readRtpHeader(packet: Buffer): RtpHeader | undefined {
  if (packet.length < FIXED_HEADER_BYTES) return undefined;
  const first = packet[0]!;
  const version = first >> 6;
  if (version !== 2) return undefined;
  const csrcCount = first & 0x0f;
  const extension = (first & 0x10) !== 0;
  let headerLength = FIXED_HEADER_BYTES + 4 * csrcCount;
  if (extension) {
    if (packet.length < headerLength + 4) return undefined;
    headerLength += 4 + 4 * packet.readUInt16BE(headerLength + 2);
  }
  if (packet.length < headerLength) return undefined;
  const second = packet[1]!;
  return {
    version,
    padding: (first & 0x20) !== 0,
    extension,
    csrcCount,
    marker: (second & 0x80) !== 0,
    payloadType: second & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    headerLength,
  };
}

export const H264_NAL = { IDR: 5, SEI: 6, SPS: 7, PPS: 8, STAP_A: 24, FU_A: 28 } as const;

/**
 * The H.264 NAL unit types that begin in this RTP payload (RFC 6184): the unit itself for a single NAL packet, every
 * aggregated unit of a STAP-A, and the fragmented unit for the first fragment of an FU-A (none for later fragments).
 */
export function h264NalTypesStarting(payload: Buffer): number[] {
  if (payload.length === 0) return [];
  const type = payload[0]! & 0x1f;
  if (type === H264_NAL.FU_A) {
    if (payload.length < 2) return [];
    const fuHeader = payload[1]!;
    return (fuHeader & 0x80) !== 0 ? [fuHeader & 0x1f] : [];
  }
  if (type !== H264_NAL.STAP_A) return [type];
  const types: number[] = [];
  for (let offset = 1; offset + 2 < payload.length; ) {
    const size = payload.readUInt16BE(offset);
    if (size === 0 || offset + 2 + size > payload.length) break;
    types.push(payload[offset + 2]! & 0x1f);
    offset += 2 + size;
  }
  return types;
}

/** Whether this H.264 RTP packet carries the start of an IDR slice: the first packet of a keyframe's picture. */
export function startsH264Idr(packet: Buffer, headerLength: number): boolean {
  return h264NalTypesStarting(packet.subarray(headerLength)).includes(H264_NAL.IDR);
}
