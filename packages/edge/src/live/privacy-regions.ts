import type { PixelateRegions } from '@sightline/media';
import type { Detection } from '@sightline/protocol';

export interface PrivacyRegionsOptions {
  /** Which detections are pixelated. */
  matches: (detection: Detection) => boolean;
  /** Analysis older than this cannot vouch for the picture: all of it is pixelated. Default 1000. */
  maxAgeMs?: number;
  /** Each box grows by this fraction of its size on every side, for motion between analysed frames. Default 0.25. */
  margin?: number;
  /**
   * A box stays pixelated this long after the detector last reported it, so a face the detector misses for a few
   * pictures (turned, blurred by motion) stays hidden. Default 1000.
   */
  holdMs?: number;
}

interface Analysed {
  pts: number;
  at: number;
  boxes: [number, number, number, number][];
}

/**
 * What to pixelate on each published picture: every box detected in the last holdMs (detection runs at a few fps,
 * video at 30, and a detector misses a face now and then), each grown by a margin. It fails closed: with no
 * detection for maxAgeMs (the detector is busy, the camera just started) the whole picture is pixelated rather than
 * risking a face.
 */
export class PrivacyRegions {
  private recent: Analysed[] = [];

  constructor(private readonly options: PrivacyRegionsOptions) {}

  /** Record an analysed frame (pts on the feed's 90 kHz timeline). */
  record(pts: number, detections: readonly Detection[]): void {
    const boxes = detections.filter(this.options.matches).map((d) => [...d.box] as [number, number, number, number]);
    const at = performance.now();
    this.recent.push({ pts, at, boxes });
    const holdMs = this.options.holdMs ?? 1000;
    while (this.recent.length > 1 && at - this.recent[0]!.at > holdMs) this.recent.shift();
  }

  regionsFor(_pts: number, width: number, height: number): PixelateRegions {
    const newest = this.recent.at(-1);
    if (!newest || performance.now() - newest.at > (this.options.maxAgeMs ?? 1000)) return 'everything';
    const margin = this.options.margin ?? 0.25;
    return this.recent.flatMap((a) =>
      a.boxes.map(([x1, y1, x2, y2]) => {
        const dx = (x2 - x1) * margin;
        const dy = (y2 - y1) * margin;
        return [Math.max(0, x1 - dx), Math.max(0, y1 - dy), Math.min(width, x2 + dx), Math.min(height, y2 + dy)] as const;
      }),
    );
  }
}
