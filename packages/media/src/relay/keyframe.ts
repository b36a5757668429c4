/** Video codecs the relay forwards; the payload formats it must understand to find keyframes. */
export type RelayCodecName = 'h264' | 'vp8';

const H264_NAL_IDR = 5;
const H264_NAL_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

function isH264KeyNal(type: number): boolean {
  return type === H264_NAL_IDR || type === H264_NAL_SPS;
}

/**
 * True when an H.264 RTP payload (RFC 6184) carries an SPS or the start of an IDR slice: a decoder that begins here
 * gets a full picture.
 */
export function h264StartsKeyframe(payload: Uint8Array): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  const type = first & 0x1f;
  if (isH264KeyNal(type)) return true;
  if (type === H264_FU_A) {
    const fuHeader = payload[1];
    return fuHeader !== undefined && (fuHeader & 0x80) !== 0 && isH264KeyNal(fuHeader & 0x1f);
  }
  if (type === H264_STAP_A) {
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = ((payload[offset] ?? 0) << 8) | (payload[offset + 1] ?? 0);
      const nalHeader = payload[offset + 2] ?? 0;
      if (isH264KeyNal(nalHeader & 0x1f)) return true;
      offset += 2 + size;
    }
  }
  return false;
}

/** True when a VP8 RTP payload (RFC 7741) is the first packet of a key frame. */
export function vp8StartsKeyframe(payload: Uint8Array): boolean {
  const descriptor = payload[0];
  if (descriptor === undefined) return false;
  const startOfPartition = (descriptor & 0x10) !== 0;
  const partitionIndex = descriptor & 0x07;
  if (!startOfPartition || partitionIndex !== 0) return false;
  let offset = 1;
  if (descriptor & 0x80) {
    const extension = payload[offset++] ?? 0;
    if (extension & 0x80) offset += ((payload[offset] ?? 0) & 0x80) !== 0 ? 2 : 1; // PictureID, 7 or 15 bits
    if (extension & 0x40) offset += 1; // TL0PICIDX
    if (extension & 0x30) offset += 1; // TID/Y/KEYIDX
  }
  const frameTag = payload[offset];
  // The inverse key frame flag: 0 means a key frame.
  return frameTag !== undefined && (frameTag & 0x01) === 0;
}

export function startsKeyframe(codec: RelayCodecName, payload: Uint8Array): boolean {
  return codec === 'h264' ? h264StartsKeyframe(payload) : vp8StartsKeyframe(payload);
}
