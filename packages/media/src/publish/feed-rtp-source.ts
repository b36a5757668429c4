import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AccessUnit, VideoCodecName } from '../feed/access-unit.js';
import type { PictureSource } from '../feed/picture-source.js';
import { RtpEncoderError } from './encoder-error.js';
import { H264Packetizer } from './h264-packetizer.js';
import type { KeyframeDecision } from './keyframe-policy.js';
import type { RtpVideoSource, RtpVideoSourceEvents } from './rtp-video-source.js';
import { Vp8Packetizer } from './vp8-packetizer.js';

export interface FeedRtpSourceOptions {
  source: PictureSource;
  payloadType?: number;
  ssrc?: number;
  maxPacketSize?: number;
  /** How long start() waits for the source to deliver. Default 15000. */
  startTimeoutMs?: number;
  /** The source's codec, when the source does not say (`source.codec`). Default H.264. */
  codec?: VideoCodecName;
}

/**
 * Publishes a picture source as RTP without encoding anything: the camera's own H.264 (passthrough), or a
 * transcoder's output. Nothing is sent before the first keyframe request (the WHIP client makes one when it connects);
 * that first request replays the pictures since the last keyframe, so the receiver has a picture at once instead of
 * waiting for the camera's next keyframe. RTP timestamps are the source's pts: see H264Packetizer. A VP8 source
 * (`source.codec === 'vp8'`, e.g. a screen capture) goes through Vp8Packetizer instead, and `codec` tells WhipClient
 * what to offer.
 */
export class FeedRtpSource extends EventEmitter<RtpVideoSourceEvents> implements RtpVideoSource {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly codec: VideoCodecName;
  readonly #options: FeedRtpSourceOptions;
  readonly #packetizer: { packetize(unit: AccessUnit): Buffer[] };
  #unsubscribe: (() => void) | undefined;
  #sending = false;
  #stopped = false;
  #lastKeyframeAt: number | undefined;
  #keyframeIntervalMs = 2000;
  #lastDts: number | undefined;
  packetsSent = 0;

  constructor(options: FeedRtpSourceOptions) {
    super();
    this.#options = options;
    this.ssrc = options.ssrc ?? randomInt(1, 0xffffffff);
    this.payloadType = options.payloadType ?? 96;
    this.codec = options.source.codec ?? options.codec ?? 'h264';
    const packetizer = { ssrc: this.ssrc, payloadType: this.payloadType, maxPacketSize: options.maxPacketSize };
    this.#packetizer = this.codec === 'vp8' ? new Vp8Packetizer(packetizer) : new H264Packetizer(packetizer);
  }

  async start(): Promise<void> {
    const { source } = this.#options;
    const deadline = performance.now() + (this.#options.startTimeoutMs ?? 15_000);
    while (source.state !== 'running') {
      if (this.#stopped) throw new RtpEncoderError('stopped', 'stopped before the source delivered');
      if (source.state === 'failed' || source.state === 'ended' || source.state === 'stopped') {
        throw new RtpEncoderError('ffmpeg-failed', `the camera cannot be read: ${source.lastError ?? source.state}`);
      }
      if (performance.now() > deadline) {
        throw new RtpEncoderError('start-timeout', `no video from the camera in time${source.lastError ? `: ${source.lastError}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A receiver may have connected (and asked for its keyframe) while the source was still starting.
    this.#unsubscribe = source.subscribe((unit) => this.#onPicture(unit), { replay: this.#sending });
  }

  requestKeyframe(): KeyframeDecision {
    const { source } = this.#options;
    if (!this.#sending) {
      this.#sending = true;
      if (this.#unsubscribe) {
        // Replayed under its own subscription so that the pictures go out in order, before the next live one.
        this.#unsubscribe();
        this.#unsubscribe = source.subscribe((unit) => this.#onPicture(unit), { replay: true });
      }
      return { action: 'wait', reason: 'passthrough', expectedWithinMs: 0 };
    }
    if (source.requestKeyframe) return source.requestKeyframe();
    const since = this.#lastKeyframeAt === undefined ? 0 : performance.now() - this.#lastKeyframeAt;
    return { action: 'wait', reason: 'passthrough', expectedWithinMs: Math.max(0, Math.round(this.#keyframeIntervalMs - since)) };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #onPicture(unit: AccessUnit): void {
    if (!this.#sending) return;
    // A replayed picture the stream has already passed (a resubscription race) is never sent twice.
    if (this.#lastDts !== undefined && unit.dts <= this.#lastDts) return;
    this.#lastDts = unit.dts;
    if (unit.keyframe) {
      const now = performance.now();
      if (this.#lastKeyframeAt !== undefined) this.#keyframeIntervalMs = now - this.#lastKeyframeAt;
      this.#lastKeyframeAt = now;
    }
    for (const packet of this.#packetizer.packetize(unit)) {
      this.packetsSent++;
      this.emit('rtp', packet);
    }
  }
}
