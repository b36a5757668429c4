/** What the relay keeps of an incoming RTP packet: the payload and the header fields a viewer's stream needs. */
export interface ForwardedPacket {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
  /** The payload begins a keyframe or its parameter sets: a decoder can start here. */
  keyframeStart: boolean;
}

export interface GopCacheLimits {
  maxPackets: number;
  maxBytes: number;
}

export const DEFAULT_GOP_CACHE_LIMITS: GopCacheLimits = { maxPackets: 2000, maxBytes: 4 * 1024 * 1024 };

/**
 * The packets since the last keyframe, so that a viewer who joins mid-GOP decodes a picture at once instead of
 * waiting for the next keyframe (an ffmpeg encoder cannot be asked for one). When a GOP outgrows the limits the cache
 * gives up until the next keyframe rather than hand out a GOP with its start missing.
 */
export class GopCache {
  private packets: ForwardedPacket[] = [];
  private bytes = 0;
  private keyframeTimestamp: number | undefined;
  private overflowed = false;

  constructor(private readonly limits: GopCacheLimits = DEFAULT_GOP_CACHE_LIMITS) {}

  add(packet: ForwardedPacket): void {
    // SPS, PPS and the IDR slices of one picture share a timestamp; only the first of them opens a new GOP.
    if (packet.keyframeStart && packet.timestamp !== this.keyframeTimestamp) {
      this.packets = [];
      this.bytes = 0;
      this.keyframeTimestamp = packet.timestamp;
      this.overflowed = false;
    }
    if (this.keyframeTimestamp === undefined || this.overflowed) return;
    if (this.packets.length >= this.limits.maxPackets || this.bytes + packet.payload.length > this.limits.maxBytes) {
      this.clear();
      this.overflowed = true;
      return;
    }
    this.packets.push(packet);
    this.bytes += packet.payload.length;
  }

  /** The cached GOP, oldest first; empty when no complete GOP start is held. */
  snapshot(): readonly ForwardedPacket[] {
    return this.packets.slice();
  }

  get size(): number {
    return this.packets.length;
  }

  clear(): void {
    this.packets = [];
    this.bytes = 0;
    this.keyframeTimestamp = undefined;
    this.overflowed = false;
  }
}
