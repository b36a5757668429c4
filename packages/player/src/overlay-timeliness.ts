import { rtpDiff } from './rtp-time.js';

export interface OverlayTimelinessSnapshot {
  /** Overlay frames that arrived before their picture was shown. */
  onTime: number;
  /** Overlay frames that arrived when their picture (or a later one) was already on screen: drawn late or never. */
  late: number;
  /** How far behind the latest late frame was, in ms of video (at least; the picture may have been up longer). */
  lastLateMs: number | undefined;
  /** The most any frame was behind, in ms of video. */
  maxLateMs: number;
}

/**
 * Whether overlay frames arrive in time for their pictures. Analysis, the MQTT hop and the event stream can be
 * slower than the video's path; a player that sees many late frames should hold the video longer (playoutDelayMs)
 * or boxes lag a frame or more behind the picture. For the console's HUD.
 */
export class OverlayTimeliness {
  private snapshotValue: OverlayTimelinessSnapshot = { onTime: 0, late: 0, lastLateMs: undefined, maxLateMs: 0 };

  /** Records one overlay frame at its arrival, given the RTP timestamp of the picture on screen then (if any). */
  record(overlayRtpTimestamp: number, presentedRtpTimestamp: number | undefined): void {
    if (presentedRtpTimestamp === undefined) return;
    const behindTicks = rtpDiff(presentedRtpTimestamp, overlayRtpTimestamp);
    const s = this.snapshotValue;
    if (behindTicks < 0) {
      s.onTime++;
      return;
    }
    const behindMs = behindTicks / 90;
    s.late++;
    s.lastLateMs = behindMs;
    s.maxLateMs = Math.max(s.maxLateMs, behindMs);
  }

  get snapshot(): OverlayTimelinessSnapshot {
    return { ...this.snapshotValue };
  }
}
