import type { AccessUnit } from '@sightline/media';

/**
 * The pictures a subscriber that joins now needs in order to show a clean picture at once: from the newest IDR, or
 * from the start of the last completed intra-refresh sweep (the one before the sweep in progress). At most about two
 * sweeps of video (a second at the default settings); bounded in bytes too.
 */
export class RefreshHistory {
  #units: AccessUnit[] = [];
  /** Index in #units of the sweep in progress, if one started after the first unit. */
  #currentSweep: number | undefined;
  #bytes = 0;

  /**
   * `maxSpanTicks`: history longer than this (in pts) is dropped, and a joiner waits for the next IDR or sweep: VP8 has
   * no sweeps, so its history from the last key frame would otherwise grow for as long as no key frame comes, and
   * replaying seconds of video at once is worse than a fresh key frame.
   */
  constructor(
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly maxSpanTicks = Number.POSITIVE_INFINITY,
  ) {}

  push(unit: AccessUnit, startsRefresh: boolean): void {
    if (unit.keyframe) {
      this.#reset(unit);
      return;
    }
    if (this.#units.length === 0) {
      // Nothing to decode from yet; a sweep start is a place to begin.
      if (startsRefresh) this.#reset(unit);
      return;
    }
    if (unit.pts - this.#units[0]!.pts > this.maxSpanTicks) {
      this.#clear();
      if (startsRefresh) this.#reset(unit);
      return;
    }
    if (startsRefresh) {
      if (this.#currentSweep !== undefined) this.#dropBefore(this.#currentSweep);
      this.#currentSweep = this.#units.length;
    }
    this.#units.push(unit);
    this.#bytes += unit.data.length;
    if (this.#bytes > this.maxBytes) this.#clear();
  }

  snapshot(): readonly AccessUnit[] {
    return [...this.#units];
  }

  #reset(unit: AccessUnit): void {
    this.#units = [unit];
    this.#bytes = unit.data.length;
    this.#currentSweep = undefined;
  }

  #dropBefore(index: number): void {
    for (const unit of this.#units.slice(0, index)) this.#bytes -= unit.data.length;
    this.#units = this.#units.slice(index);
    this.#currentSweep = undefined;
  }

  #clear(): void {
    this.#units = [];
    this.#bytes = 0;
    this.#currentSweep = undefined;
  }
}
