export const TS_PACKET_BYTES = 188;
export const TS_SYNC_BYTE = 0x47;
export const PAT_PID = 0;
/** MPEG-TS stream types (ISO/IEC 13818-1 table 2-34). */
export const STREAM_TYPE = { H264: 0x1b, HEVC: 0x24 } as const;
/** A 33-bit PTS/DTS wraps about every 26.5 hours. */
export const PTS_MODULUS = 2 ** 33;

/** CRC-32/MPEG-2, the checksum at the end of every PSI section. */
export function crc32Mpeg(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}
