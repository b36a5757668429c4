/**
 * How early each overlay frame reaches the browser before its picture is shown: the picture's expected display
 * time (requestVideoFrameCallback) minus the overlay's arrival time, both on the performance.now() clock. Negative
 * slack is an overlay that came too late: its picture was drawn with an older one. Whichever of the two comes
 * first waits in a bounded map for the other.
 */
export class OverlaySlackTracker {
  private readonly overlayArrivals = new Map<number, number>();
  private readonly pictureDisplays = new Map<number, number>();

  /** An overlay frame arrived at `now`. Returns the slack when its picture was already shown. */
  overlayArrived(rtpTimestamp: number, now: number): number | undefined {
    const displayed = this.pictureDisplays.get(rtpTimestamp);
    if (displayed === undefined) {
      remember(this.overlayArrivals, rtpTimestamp, now);
      return undefined;
    }
    this.pictureDisplays.delete(rtpTimestamp);
    return displayed - now;
  }

  /** The picture with this timestamp is shown at `expectedDisplayTime`. Returns the slack when its overlay came first. */
  picturePresented(rtpTimestamp: number, expectedDisplayTime: number): number | undefined {
    const arrived = this.overlayArrivals.get(rtpTimestamp);
    if (arrived === undefined) {
      remember(this.pictureDisplays, rtpTimestamp, expectedDisplayTime);
      return undefined;
    }
    this.overlayArrivals.delete(rtpTimestamp);
    return expectedDisplayTime - arrived;
  }
}

/** At most 300 waiting entries (10 s at 30 fps): one side may never come (pictures that were not analysed). */
function remember(map: Map<number, number>, key: number, value: number): void {
  map.set(key, value);
  if (map.size > 300) map.delete(map.keys().next().value as number);
}
