/**
 * Turns the per-process timestamps ffmpeg reports into one timeline for the whole life of a source.
 * Each ffmpeg run (a reconnect) starts its timestamps again; to keep pts increasing, a later run is
 * placed after the last frame of the previous one plus the wall-clock time spent reconnecting.
 * Within a live run, a jump backwards (a camera resetting its clock) is re-anchored the same way.
 */
export class PtsTimeline {
  private lastPts: number | null = null;
  private lastWallMs = 0;
  private lastInterval = 0;
  /** Added to the raw pts of the current run; null until the run's first frame anchors it. */
  private offset: number | null = null;
  private runIndex = -1;

  /** With `keepSource`, the input's timestamps already form one timeline (a shared feed): they are kept as they are. */
  constructor(
    private readonly live: boolean,
    private readonly keepSource = false,
  ) {}

  /** Call when a new ffmpeg run starts. */
  startRun(): void {
    this.runIndex++;
    // The first run keeps ffmpeg's own timeline (a file's pts stay file positions).
    this.offset = this.runIndex === 0 || this.keepSource ? 0 : null;
  }

  /** Map a raw pts (seconds, or null when ffmpeg gave none) to the source timeline. */
  map(rawPts: number | null, wallMs: number): number {
    const raw = rawPts ?? this.extrapolatedRaw();
    if (this.offset === null || (this.live && this.lastPts !== null && raw + this.offset <= this.lastPts)) {
      this.offset = this.resumePoint(wallMs) - raw;
    }
    const pts = raw + this.offset;
    if (this.lastPts !== null && pts > this.lastPts) this.lastInterval = pts - this.lastPts;
    this.lastPts = pts;
    this.lastWallMs = wallMs;
    return pts;
  }

  private resumePoint(wallMs: number): number {
    if (this.lastPts === null) return 0;
    const gap = Math.max((wallMs - this.lastWallMs) / 1000, this.lastInterval, 0.001);
    return this.lastPts + gap;
  }

  private extrapolatedRaw(): number {
    if (this.lastPts === null || this.offset === null) return 0;
    return this.lastPts - this.offset + (this.lastInterval || 0.001);
  }
}
