/**
 * How requestKeyframe() is answered. The ffmpeg command line cannot be told to encode the next frame as a keyframe,
 * so the encoder has two ways to get one:
 * - 'gop': wait for the next scheduled keyframe (one every gopSeconds);
 * - 'restart': start a second ffmpeg beside the running one, whose first frame is by nature an IDR, and switch the
 *   RTP stream over to it seamlessly (same SSRC, continuous sequence numbers and timestamps) at a frame boundary.
 * 'restart' is used only when it is faster than waiting: when the scheduled keyframe is further away than a restart
 * takes (measured; about 100-150 ms here), and no more often than minRestartIntervalMs, because every restart costs
 * a process start and, for a camera, a second connection for a moment.
 */
export type KeyframeMode = 'restart' | 'gop';

export type KeyframeDecisionReason =
  /** A fresh encoder is being started; its first frame is the keyframe. */
  | 'restarting'
  /** A restart is already under way and will deliver the keyframe. */
  | 'restart-in-progress'
  /** The scheduled keyframe comes sooner than a restart could deliver one. */
  | 'scheduled-keyframe-sooner'
  /** The last restart was less than minRestartIntervalMs ago; the scheduled keyframe will do. */
  | 'rate-limited'
  /** Passthrough copies the camera's stream: its keyframes come when the camera sends them. */
  | 'passthrough'
  /** The encoder is configured to wait for its GOP. */
  | 'gop-mode'
  /** The encoder is not running. */
  | 'not-running';

export interface KeyframeDecision {
  action: 'restart' | 'wait';
  reason: KeyframeDecisionReason;
  /** When a keyframe is expected, in ms from now (an estimate). */
  expectedWithinMs: number;
}

export interface KeyframeSituation {
  now: number;
  mode: KeyframeMode;
  passthrough: boolean;
  running: boolean;
  /** When the last keyframe left the encoder (performance.now() ms); undefined before the first. */
  lastKeyframeAt: number | undefined;
  /** The interval between keyframes: configured when encoding, observed in passthrough. */
  keyframeIntervalMs: number;
  restartInProgress: boolean;
  lastRestartAt: number | undefined;
  minRestartIntervalMs: number;
  /** How long a restart takes to deliver its first packet (measured). */
  expectedRestartMs: number;
}

export function decideKeyframe(s: KeyframeSituation): KeyframeDecision {
  const scheduledIn = Math.max(0, (s.lastKeyframeAt ?? s.now) + s.keyframeIntervalMs - s.now);
  const wait = (reason: KeyframeDecisionReason, expectedWithinMs = scheduledIn): KeyframeDecision => ({
    action: 'wait',
    reason,
    expectedWithinMs: Math.round(expectedWithinMs),
  });
  if (!s.running) return wait('not-running', Number.POSITIVE_INFINITY);
  if (s.passthrough) return wait('passthrough');
  if (s.mode === 'gop') return wait('gop-mode');
  if (s.restartInProgress) return wait('restart-in-progress', Math.min(scheduledIn, s.expectedRestartMs));
  if (scheduledIn <= s.expectedRestartMs) return wait('scheduled-keyframe-sooner');
  if (s.lastRestartAt !== undefined && s.now - s.lastRestartAt < s.minRestartIntervalMs) return wait('rate-limited');
  return { action: 'restart', reason: 'restarting', expectedWithinMs: Math.round(s.expectedRestartMs) };
}
