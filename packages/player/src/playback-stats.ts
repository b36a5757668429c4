/** A summary of a WHEP connection's received video, from RTCPeerConnection.getStats(). */
export interface PlaybackStats {
  /** The report's timestamp (ms, as the browser's stats give it). */
  timestamp: number;
  framesDecoded: number;
  framesDropped: number;
  /** Frames decoded per second, as the browser reports it or measured since the previous summary. */
  fps: number | undefined;
  /** Bits per second received since the previous summary (undefined on the first). */
  bitrate: number | undefined;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** Interarrival jitter in ms. */
  jitterMs: number | undefined;
  /** Round-trip time to the hub in ms, from the selected ICE candidate pair, when known. */
  rttMs: number | undefined;
  width: number | undefined;
  height: number | undefined;
}

type Report = { type?: unknown; [key: string]: unknown };

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function selectedPairRtt(reports: Report[]): number | undefined {
  const byId = new Map(reports.map((report) => [report.id, report]));
  const transport = reports.find((report) => report.type === 'transport' && typeof report.selectedCandidatePairId === 'string');
  const selected = transport ? byId.get(transport.selectedCandidatePairId) : undefined;
  const pair = selected ?? reports.find((report) => report.type === 'candidate-pair' && report.nominated === true && report.state === 'succeeded');
  const seconds = num(pair?.currentRoundTripTime);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * Summarizes one stats report. `previous` (the last summary) turns byte and frame counters into rates; pass
 * undefined for the first. Takes plain iterables so it runs (and is tested) outside a browser.
 */
export function summarizePlaybackStats(stats: Iterable<unknown>, previous?: PlaybackStats): PlaybackStats | undefined {
  const reports = [...stats].filter((report): report is Report => typeof report === 'object' && report !== null);
  const inbound = reports.find((report) => report.type === 'inbound-rtp' && report.kind === 'video');
  if (!inbound) return undefined;
  const timestamp = num(inbound.timestamp) ?? 0;
  const framesDecoded = num(inbound.framesDecoded) ?? 0;
  const bytesReceived = num(inbound.bytesReceived) ?? 0;
  const elapsedSeconds = previous ? (timestamp - previous.timestamp) / 1000 : 0;
  const measured = elapsedSeconds > 0 && previous !== undefined;
  const jitter = num(inbound.jitter);
  return {
    timestamp,
    framesDecoded,
    framesDropped: num(inbound.framesDropped) ?? 0,
    fps: num(inbound.framesPerSecond) ?? (measured ? Math.max(0, framesDecoded - previous.framesDecoded) / elapsedSeconds : undefined),
    bitrate: measured ? (Math.max(0, bytesReceived - previous.bytesReceived) * 8) / elapsedSeconds : undefined,
    bytesReceived,
    packetsReceived: num(inbound.packetsReceived) ?? 0,
    packetsLost: num(inbound.packetsLost) ?? 0,
    jitterMs: jitter === undefined ? undefined : jitter * 1000,
    rttMs: selectedPairRtt(reports),
    width: num(inbound.frameWidth),
    height: num(inbound.frameHeight),
  };
}
