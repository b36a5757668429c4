/** What the bench's processes tell each other over their IPC channels. */

export interface CpuSample {
  /** process.cpuUsage() user + system, microseconds. */
  cpuMicros: number;
  /** performance.now() in that process. */
  at: number;
}

export interface RelayUsage extends CpuSample {
  viewers: number;
  packetsIn: number;
  packetsForwarded: number;
  retransmissions: number;
  keyframeRequestsUpstream: number;
  /** Viewers whose packets take the relay's fast path. */
  viewersOnFastPath: number;
  /** Event loop delay p99 since the previous sample, ms. */
  loopDelayP99Ms: number;
}

/** One simulated viewer's running counters. */
export interface ViewerCounters {
  /** Distinct sequence numbers received (retransmissions of a lost packet count once). */
  unique: number;
  /** Extended highest sequence number minus the first one, plus one: what should have arrived. */
  expected: number;
  /** Packets that arrived more than once. */
  duplicates: number;
  /** Frames whose marker packet arrived (frames seen). */
  frames: number;
}

export interface ViewerSnapshot extends CpuSample {
  /** Joins that failed and were retried, so far. */
  failedJoins: number;
  viewers: ViewerCounters[];
}

export type Request =
  | { id: number; cmd: 'usage' }
  | { id: number; cmd: 'profile-start' }
  | { id: number; cmd: 'profile-stop'; file: string }
  | { id: number; cmd: 'add-viewers'; count: number; url: string; concurrency: number }
  | { id: number; cmd: 'snapshot' }
  | { id: number; cmd: 'close' };

export interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  value?: unknown;
}
