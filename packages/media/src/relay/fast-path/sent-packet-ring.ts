import type { ProtectedPieces } from './srtp-protector.js';

/** A fixed RTP header: version 2, no padding, no extension, no CSRC. */
export const RTP_HEADER_LENGTH = 12;

/** One protected packet as it went out, kept so that a NACK can be answered with the same bytes. */
export interface SentPacket {
  /** -1 while the slot is unused. */
  sequenceNumber: number;
  /** [header, ciphertext, tag]: what `send` takes. */
  readonly pieces: ProtectedPieces;
  /** This slot's own header bytes (a view into the ring's slab), reused for every packet that lands here. */
  readonly ownHeader: Buffer;
}

/**
 * The last `capacity` packets sent to one viewer, indexed by sequence number. Each slot owns a 12-byte header view
 * made once, so a forwarded packet costs no header allocation: the bytes stay untouched until the slot comes round
 * again, long after dgram has sent them (dgram sends on the next tick). Sending more than `capacity` packets in one
 * synchronous run (a GOP replayed to a joining viewer) would overwrite headers not yet sent, so such bursts ask for
 * a fresh header instead (`claim(seq, true)`).
 */
export class SentPacketRing {
  private readonly slots: SentPacket[];
  private readonly mask: number;

  constructor(capacity: number) {
    if (capacity < 1 || (capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
    this.mask = capacity - 1;
    const slab = Buffer.alloc(capacity * RTP_HEADER_LENGTH);
    this.slots = Array.from({ length: capacity }, (_, i) => {
      const ownHeader = slab.subarray(i * RTP_HEADER_LENGTH, (i + 1) * RTP_HEADER_LENGTH);
      return { sequenceNumber: -1, pieces: [ownHeader, ownHeader, ownHeader] as ProtectedPieces, ownHeader };
    });
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** The slot for a new packet; its pieces[0] is the header to write. */
  claim(sequenceNumber: number, freshHeader: boolean): SentPacket {
    const slot = this.slots[sequenceNumber & this.mask] as SentPacket;
    slot.sequenceNumber = sequenceNumber;
    slot.pieces[0] = freshHeader ? Buffer.allocUnsafe(RTP_HEADER_LENGTH) : slot.ownHeader;
    return slot;
  }

  /** The packet sent with this sequence number, if it is still held. */
  find(sequenceNumber: number): SentPacket | undefined {
    const slot = this.slots[sequenceNumber & this.mask];
    return slot && slot.sequenceNumber === sequenceNumber ? slot : undefined;
  }

  clear(): void {
    for (const slot of this.slots) slot.sequenceNumber = -1;
  }
}

/** Writes a 12-byte RTP header (RFC 3550 §5.1). */
export function writeRtpHeader(into: Buffer, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number): void {
  into[0] = 0x80;
  into[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  into.writeUInt16BE(sequenceNumber & 0xffff, 2);
  into.writeUInt32BE(timestamp >>> 0, 4);
  into.writeUInt32BE(ssrc >>> 0, 8);
}
