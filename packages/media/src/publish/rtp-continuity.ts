import type { RtpHeader } from './rtp-packet.js';

const RTP_CLOCK_PER_MS = 90; // H.264 over RTP runs a 90 kHz clock.

/**
 * Makes the packets of successive ffmpeg processes one RTP stream: one SSRC, one payload type, sequence numbers that
 * never jump and timestamps that keep following the wall clock. A receiver then sees an encoder restart as nothing
 * more than a keyframe, rather than a new source whose jitter buffer and decoder must start over.
 */
export class RtpContinuity {
  #session: object | undefined;
  #timestampOffset = 0;
  #sequenceOffset = 0;
  #nextSequence: number;
  #lastTimestamp: number | undefined;
  #lastTimestampAt = 0;

  constructor(
    readonly ssrc: number,
    readonly payloadType: number,
  ) {
    this.#nextSequence = Math.floor(Math.random() * 0x10000);
  }

  /** Rewrite the header of `packet` (in place) from `session`'s numbering into the continuous stream. */
  rewrite(packet: Buffer, header: RtpHeader, session: object): void {
    const now = performance.now();
    if (session !== this.#session) {
      this.#session = session;
      // The new source's first frame is placed where the wall clock says, and strictly after the previous frame.
      const target =
        this.#lastTimestamp === undefined
          ? Math.floor(Math.random() * 0x100000000)
          : (this.#lastTimestamp + Math.max(1, Math.round((now - this.#lastTimestampAt) * RTP_CLOCK_PER_MS))) >>> 0;
      this.#timestampOffset = (target - header.timestamp) >>> 0;
      this.#sequenceOffset = (this.#nextSequence - header.sequenceNumber) & 0xffff;
    }
    // Within one session the offset is kept rather than renumbering, so that a packet lost on the way from ffmpeg
    // still shows as a gap and the receiver knows the frame is broken.
    const sequence = (header.sequenceNumber + this.#sequenceOffset) & 0xffff;
    const timestamp = (header.timestamp + this.#timestampOffset) >>> 0;
    if (timestamp !== this.#lastTimestamp) {
      this.#lastTimestamp = timestamp;
      this.#lastTimestampAt = now;
    }
    packet[1] = (packet[1]! & 0x80) | this.payloadType;
    packet.writeUInt16BE(sequence, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    this.#nextSequence = (sequence + 1) & 0xffff;
  }
}
