import { segmentsCrossProperly, signedDistanceToLine, type Point } from './geometry.js';

export type CrossingDirection = 'in' | 'out';

/** The geometry a crossing is judged against. */
export interface CountingLine {
  a: Point;
  b: Point;
  invert: boolean;
}

type Side = 1 | -1;

/**
 * One track's relation to one counting line, with hysteresis so a box that wobbles on the line is
 * counted at most once.
 *
 * The track has a *settled side*: the side of the line its anchor last stood on while at least
 * `hysteresis` (normalized distance) away from it. Between settlements the anchor may wander
 * through the dead band around the line and even step back and forth across it. A crossing counts
 * only when both
 *  1. the anchor settles on the opposite side from its previous settled side, and
 *  2. since the previous settlement, some step of its path (previous anchor → current anchor) crossed
 *     the line *segment* properly, so passing beside the end of a line never counts.
 * Returning to the same side cancels a pending crossing, which is what makes jitter harmless.
 */
export class LineCrossingTracker {
  private settledSide: Side | undefined;
  /** The last anchor that was not exactly on the line: steps are measured from it, so landing on the line splits no crossing in two. */
  private lastOffLineAnchor: Point | undefined;
  private lastSide: Side | undefined;
  private crossedSegment = false;

  constructor(
    private readonly line: CountingLine,
    private readonly hysteresis: number,
  ) {}

  /** Feeds one qualifying anchor position; returns the direction when this observation completes a crossing. */
  observe(anchor: Point): CrossingDirection | undefined {
    const { a, b } = this.line;
    const distance = signedDistanceToLine(anchor, a, b);
    if (distance !== 0) {
      if (this.lastOffLineAnchor !== undefined && segmentsCrossProperly(this.lastOffLineAnchor, anchor, a, b)) {
        this.crossedSegment = true;
      }
      this.lastOffLineAnchor = anchor;
      this.lastSide = distance > 0 ? 1 : -1;
    }
    if (Math.abs(distance) < this.hysteresis || distance === 0) return undefined;
    return this.settle(distance > 0 ? 1 : -1);
  }

  /**
   * Called when the track is gone: a crossing that was under way and ended on the far side, but
   * never got clear of the dead band (a line drawn close to the frame edge), still counts once.
   */
  finish(): CrossingDirection | undefined {
    if (this.lastSide === undefined || this.lastSide === this.settledSide) return undefined;
    return this.settle(this.lastSide);
  }

  private settle(side: Side): CrossingDirection | undefined {
    const previous = this.settledSide;
    const crossed = this.crossedSegment;
    this.settledSide = side;
    this.crossedSegment = false;
    if (previous === undefined || previous === side || !crossed) return undefined;
    const towardsNormal = side === 1;
    return towardsNormal !== this.line.invert ? 'in' : 'out';
  }
}
