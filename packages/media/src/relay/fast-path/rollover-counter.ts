/** How far back a sequence number may be and still count as late rather than a wrap (werift and libsrtp agree). */
const MAX_DISORDER = 100;
const MAX_SEQUENCE = 0xffff;

/**
 * The SRTP rollover counter of an outgoing stream (RFC 3711 §3.3.1): how many times its 16-bit sequence numbers have
 * wrapped. The same rule as werift's sender context, so the two paths protect a packet identically.
 */
export class RolloverCounter {
  private roc = 0;
  private last = 0;
  private started = false;

  /** The ROC for this packet, updating the state as werift does. */
  next(sequenceNumber: number): number {
    if (!this.started) {
      this.started = true;
    } else if (sequenceNumber === 0) {
      if (this.last > MAX_DISORDER) this.roc++;
    } else if (this.last < MAX_DISORDER && sequenceNumber > MAX_SEQUENCE - MAX_DISORDER) {
      if (this.roc > 0) this.roc--;
    } else if (sequenceNumber < MAX_DISORDER && this.last > MAX_SEQUENCE - MAX_DISORDER) {
      this.roc++;
    }
    this.last = sequenceNumber;
    return this.roc;
  }
}
