import { summarizePlaybackStats, type PlaybackStats } from './playback-stats.js';

/**
 * What a cloud player's HUD shows, from RTCPeerConnection.getStats(), rates over the interval since the previous
 * summary (undefined on the first, or when the browser does not report what they need).
 */
export interface StreamStats {
  /** The report's timestamp (ms). */
  timestamp: number;
  /** Round trip to the hub, from the selected ICE candidate pair (currentRoundTripTime). */
  rttMs: number | undefined;
  /** Frames decoded per second (the browser's framesPerSecond, or measured). */
  fps: number | undefined;
  /** Video received, kbit/s. */
  bitrateKbps: number | undefined;
  /** Packets lost over the interval, percent of the packets expected (lost + received). */
  lossPercent: number | undefined;
  /** Average time a frame waited in the jitter buffer over the interval (jitterBufferDelay / emitted count). */
  jitterBufferDelayMs: number | undefined;
  /** Frames dropped over the interval, and since the start. */
  framesDroppedInterval: number | undefined;
  framesDropped: number;
  framesDecoded: number;
  packetsLost: number;
  width: number | undefined;
  height: number | undefined;
  /** The video codec, e.g. `H264` or `VP8`. */
  codec: string | undefined;
  /** For the next summary's rates. */
  playback: PlaybackStats;
  jitterBufferDelaySeconds: number | undefined;
  jitterBufferEmittedCount: number | undefined;
}

type Report = { type?: unknown; [key: string]: unknown };

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * Summarizes one stats report (any iterable of report objects, so that it is testable outside a browser); pass the
 * previous summary for the rates.
 */
export function summarizeStreamStats(stats: Iterable<unknown>, previous?: StreamStats): StreamStats | undefined {
  const reports = [...stats].filter((report): report is Report => typeof report === 'object' && report !== null);
  const playback = summarizePlaybackStats(reports, previous?.playback);
  if (!playback) return undefined;
  const inbound = reports.find((report) => report.type === 'inbound-rtp' && report.kind === 'video');
  const codecReport = reports.find((report) => report.type === 'codec' && report.id === inbound?.codecId);
  const mimeType = typeof codecReport?.mimeType === 'string' ? codecReport.mimeType : undefined;
  const jitterBufferDelaySeconds = num(inbound?.jitterBufferDelay);
  const jitterBufferEmittedCount = num(inbound?.jitterBufferEmittedCount);
  const prev = previous?.playback;
  const measured = prev !== undefined && playback.timestamp > prev.timestamp;

  let lossPercent: number | undefined;
  if (measured) {
    const lost = Math.max(0, playback.packetsLost - prev.packetsLost);
    const received = Math.max(0, playback.packetsReceived - prev.packetsReceived);
    lossPercent = lost + received > 0 ? (100 * lost) / (lost + received) : 0;
  }
  let jitterBufferDelayMs: number | undefined;
  if (jitterBufferDelaySeconds !== undefined && jitterBufferEmittedCount !== undefined) {
    const delay = jitterBufferDelaySeconds - (measured ? (previous?.jitterBufferDelaySeconds ?? 0) : 0);
    const emitted = jitterBufferEmittedCount - (measured ? (previous?.jitterBufferEmittedCount ?? 0) : 0);
    jitterBufferDelayMs = emitted > 0 ? (1000 * delay) / emitted : undefined;
  }
  return {
    timestamp: playback.timestamp,
    rttMs: playback.rttMs,
    fps: playback.fps,
    bitrateKbps: playback.bitrate === undefined ? undefined : playback.bitrate / 1000,
    lossPercent,
    jitterBufferDelayMs,
    framesDroppedInterval: measured ? Math.max(0, playback.framesDropped - prev.framesDropped) : undefined,
    framesDropped: playback.framesDropped,
    framesDecoded: playback.framesDecoded,
    packetsLost: playback.packetsLost,
    width: playback.width,
    height: playback.height,
    codec: mimeType?.replace(/^video\//i, ''),
    playback,
    jitterBufferDelaySeconds,
    jitterBufferEmittedCount,
  };
}
