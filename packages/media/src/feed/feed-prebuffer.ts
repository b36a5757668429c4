import type { AccessUnit } from './access-unit.js';

/**
 * The pictures since the newest keyframe: what a consumer that joins now needs to start decoding at once instead of
 * waiting for the camera's next keyframe (which may be seconds away). If a camera sends no keyframe for longer than
 * the limit, the buffer gives up and empties rather than growing without end.
 */
export class FeedPrebuffer {
  private units: AccessUnit[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  push(unit: AccessUnit): void {
    if (unit.keyframe) {
      this.units = [];
      this.bytes = 0;
    } else if (this.units.length === 0) {
      return; // nothing to start from
    }
    this.units.push(unit);
    this.bytes += unit.data.length;
    if (this.bytes > this.maxBytes) this.clear();
  }

  clear(): void {
    this.units = [];
    this.bytes = 0;
  }

  /** From the newest keyframe to the newest picture; empty when there is no keyframe to start from. */
  snapshot(): readonly AccessUnit[] {
    return [...this.units];
  }

  get durationMs(): number {
    const first = this.units[0];
    const last = this.units.at(-1);
    return first && last ? (last.pts - first.pts) / 90 : 0;
  }
}
