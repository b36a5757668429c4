/** How many leading bytes `looksLikeMp4` needs. */
export const MP4_SNIFF_BYTES = 12;

/**
 * True when the bytes start with an ISO BMFF `ftyp` box of a plausible size (a box header, then major brand and minor
 * version at least): what every self-contained MP4 segment begins with. Cheap, and enough to refuse a body that is
 * plainly something else (JSON, a JPEG, an MPEG-TS chunk, a media segment without its init part).
 */
export function looksLikeMp4(head: Buffer): boolean {
  if (head.length < MP4_SNIFF_BYTES) return false;
  const size = head.readUInt32BE(0);
  return head.toString('latin1', 4, 8) === 'ftyp' && size >= 16 && size <= 4096;
}
