import type { LiveOverlayFrame } from '@sightline/protocol';
import { RTP_VIDEO_CLOCK_HZ, rtpDiff } from './rtp-time.js';

export interface OverlayBufferOptions {
  /** Frames kept at most; the oldest go first. Default 300 (10 s of analysis at 30 fps). */
  capacity?: number;
  /**
   * A frame older than this (in 90 kHz ticks) than the picture on screen is not drawn, so boxes vanish when analysis
   * stops or lags. Default 90 000 (1 s).
   */
  staleAfterTicks?: number;
  /**
   * A frame this far (ticks, either way) from the newest one held means the stream's timestamps started again
   * (a new publisher, a reset encoder): what is held is dropped. Default 10 s.
   */
  resetAfterTicks?: number;
}

/**
 * The overlay frames of one camera, ordered by RTP timestamp with wrap-around handled, so that the player can find
 * the one computed from the picture on screen. Overlay frames usually arrive before their picture (analysis runs
 * while the video is in flight and in the jitter buffer), sometimes after; both are kept until they are too old.
 */
export class OverlayFrameBuffer {
  readonly capacity: number;
  readonly staleAfterTicks: number;
  readonly resetAfterTicks: number;
  /** Oldest first, by serial-number order. */
  private frames: LiveOverlayFrame[] = [];

  constructor(options: OverlayBufferOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 300));
    this.staleAfterTicks = Math.max(0, options.staleAfterTicks ?? RTP_VIDEO_CLOCK_HZ);
    this.resetAfterTicks = Math.max(1, options.resetAfterTicks ?? 10 * RTP_VIDEO_CLOCK_HZ);
  }

  get size(): number {
    return this.frames.length;
  }

  /** The newest frame held, by RTP timestamp. */
  get newest(): LiveOverlayFrame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** Adds a frame in its place; a frame with the same timestamp replaces the one held (a resend after a reconnect). */
  insert(frame: LiveOverlayFrame): void {
    const newest = this.newest;
    if (newest && Math.abs(rtpDiff(frame.rtpTimestamp, newest.rtpTimestamp)) > this.resetAfterTicks) this.frames = [];
    // Frames arrive in order nearly always: search from the end.
    let index = this.frames.length;
    while (index > 0 && rtpDiff(this.frames[index - 1]!.rtpTimestamp, frame.rtpTimestamp) > 0) index--;
    if (index > 0 && this.frames[index - 1]!.rtpTimestamp === frame.rtpTimestamp) {
      this.frames[index - 1] = frame;
      return;
    }
    this.frames.splice(index, 0, frame);
    if (this.frames.length > this.capacity) this.frames.splice(0, this.frames.length - this.capacity);
  }

  /**
   * The frame to draw over the picture with RTP timestamp `presented`: the newest one at or before it, unless that
   * is more than `staleAfterTicks` older. Frames after it are for pictures not shown yet.
   */
  frameFor(presented: number): LiveOverlayFrame | undefined {
    for (let index = this.frames.length - 1; index >= 0; index--) {
      const frame = this.frames[index]!;
      const age = rtpDiff(presented, frame.rtpTimestamp);
      if (age < 0) continue;
      return age <= this.staleAfterTicks ? frame : undefined;
    }
    return undefined;
  }

  clear(): void {
    this.frames = [];
  }
}
