import { NAL_TYPE, nalType, splitAnnexB } from '@sightline/media';

const RECOVERY_POINT_PAYLOAD = 6;

/**
 * Whether a picture starts an intra-refresh sweep: x264 marks it with a recovery point SEI (and repeats SPS/PPS in
 * front of it). A decoder that starts here shows a clean picture once the sweep is over.
 */
export function startsRefresh(data: Buffer): boolean {
  return splitAnnexB(data).some((unit) => nalType(unit) === NAL_TYPE.SEI && seiPayloadTypes(unit).includes(RECOVERY_POINT_PAYLOAD));
}

/** The payload types of the SEI messages in one SEI NAL unit (emulation prevention bytes do not matter this early). */
function seiPayloadTypes(unit: Buffer): number[] {
  const types: number[] = [];
  let offset = 1;
  while (offset < unit.length && unit[offset] !== 0x80) {
    let type = 0;
    while (unit[offset] === 0xff) {
      type += 255;
      offset++;
    }
    type += unit[offset++] ?? 0;
    let size = 0;
    while (unit[offset] === 0xff) {
      size += 255;
      offset++;
    }
    size += unit[offset++] ?? 0;
    types.push(type);
    offset += size;
  }
  return types;
}
