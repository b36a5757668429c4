import { PTS_MODULUS } from './ts-constants.js';

/** Turns 33-bit MPEG-TS timestamps, which wrap about every 26.5 hours, into numbers that keep growing. */
export class PtsUnwrapper {
  private wraps = 0;
  private last: number | undefined;

  unwrap(raw: number): number {
    if (this.last !== undefined) {
      if (raw < this.last - PTS_MODULUS / 2) this.wraps++;
      else if (raw > this.last + PTS_MODULUS / 2 && this.wraps > 0) this.wraps--;
    }
    this.last = raw;
    return raw + this.wraps * PTS_MODULUS;
  }
}
