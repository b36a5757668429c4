/** What happened to one track's visit of one zone on one observation. */
export type ZoneTransition =
  | { kind: 'enter' }
  | { kind: 'exit'; dwell: number }
  | { kind: 'loiter'; dwell: number };

export interface ZoneVisitRules {
  /** Consecutive qualifying observations needed before an enter counts. */
  minFramesInside: number;
  /** Consecutive observations outside the polygon needed before an exit counts. */
  minFramesOutside: number;
  /** Seconds inside after which one loiter transition fires per visit; none when undefined. */
  loiterSeconds: number | undefined;
}

/**
 * One track's presence in one zone. Filters decide who may enter; the polygon alone decides when a
 * visitor leaves, so a confidence dip or a shrinking box does not split one visit into many.
 * Dwell is source time from the first qualifying observation to the last one inside the polygon.
 */
export class ZoneVisit {
  private isInside = false;
  private insideStreak = 0;
  private outsideStreak = 0;
  private firstInsidePts = 0;
  private lastInsidePts = 0;
  private loiterFired = false;

  constructor(private rules: ZoneVisitRules) {}

  /** Applies edited zone settings to a visit in progress (a new loiter time counts from the visit's start). */
  updateRules(rules: ZoneVisitRules): void {
    this.rules = rules;
  }

  get inside(): boolean {
    return this.isInside;
  }

  /** Seconds of the current visit so far, measured to the last observation inside the polygon. */
  get dwell(): number {
    return Math.max(0, this.lastInsidePts - this.firstInsidePts);
  }

  /**
   * @param anchorInside the anchor is inside the zone's polygon
   * @param qualifies the object also passes the zone's filter
   */
  observe(anchorInside: boolean, qualifies: boolean, pts: number): ZoneTransition[] {
    return this.isInside ? this.observeVisitor(anchorInside, pts) : this.observeOutsider(anchorInside && qualifies, pts);
  }

  /** Ends the visit because the track is gone; the exit's dwell stops at the last time it was seen inside. */
  leave(): ZoneTransition[] {
    if (!this.isInside) return [];
    const dwell = this.dwell;
    this.resetVisit();
    return [{ kind: 'exit', dwell }];
  }

  private observeOutsider(qualifies: boolean, pts: number): ZoneTransition[] {
    if (!qualifies) {
      this.insideStreak = 0;
      return [];
    }
    if (this.insideStreak === 0) this.firstInsidePts = pts;
    this.insideStreak++;
    this.lastInsidePts = pts;
    if (this.insideStreak < this.rules.minFramesInside) return [];
    this.isInside = true;
    this.outsideStreak = 0;
    return [{ kind: 'enter' }, ...this.loiterCheck()];
  }

  private observeVisitor(anchorInside: boolean, pts: number): ZoneTransition[] {
    if (anchorInside) {
      this.outsideStreak = 0;
      this.lastInsidePts = pts;
      return this.loiterCheck();
    }
    this.outsideStreak++;
    if (this.outsideStreak < this.rules.minFramesOutside) return [];
    return this.leave();
  }

  private loiterCheck(): ZoneTransition[] {
    const limit = this.rules.loiterSeconds;
    if (limit === undefined || this.loiterFired || this.dwell < limit) return [];
    this.loiterFired = true;
    return [{ kind: 'loiter', dwell: this.dwell }];
  }

  private resetVisit(): void {
    this.isInside = false;
    this.insideStreak = 0;
    this.outsideStreak = 0;
    this.loiterFired = false;
  }
}
