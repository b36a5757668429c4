export const NAL_TYPE = { SLICE: 1, IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9 } as const;

/**
 * The NAL units of an Annex B byte stream, without their start codes (3 or 4 bytes). The views share `data`'s memory.
 * A trailing zero byte before a 4-byte start code belongs to that start code, not to the previous unit.
 */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let start = -1;
  let index = 0;
  while (index + 2 < data.length) {
    const found = data.indexOf(START_CODE, index);
    if (found < 0) break;
    if (start >= 0) {
      let end = found;
      while (end > start && data[end - 1] === 0) end--;
      if (end > start) units.push(data.subarray(start, end));
    }
    start = found + 3;
    index = start;
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units;
}

const START_CODE = Buffer.from([0, 0, 1]);

export const nalType = (unit: Buffer): number => (unit[0] ?? 0) & 0x1f;

export const hasIdr = (units: readonly Buffer[]): boolean => units.some((unit) => nalType(unit) === NAL_TYPE.IDR);

const FOUR_BYTE_START = Buffer.from([0, 0, 0, 1]);

/** Units back into an Annex B stream, each behind a 4-byte start code. */
export function joinAnnexB(units: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const unit of units) parts.push(FOUR_BYTE_START, unit);
  return Buffer.concat(parts);
}
