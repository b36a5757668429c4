import { EventEmitter } from 'node:events';
import type { PublishLog } from '../publish/rtp-encoder.js';
import type { KeyframeDecision } from '../publish/keyframe-policy.js';
import type { AccessUnit } from './access-unit.js';
import { FeedPrebuffer } from './feed-prebuffer.js';
import type { PictureSource } from './picture-source.js';
import { PrivacyPainter, type NormalizedPoint, type PixelBox } from './privacy-painter.js';
import { RawVideoDecoder, type RawPicture } from './raw-decoder.js';
import { RawH264Encoder, type EncodedPicture } from './raw-h264-encoder.js';
import { TsTap, type PictureFeed } from './ts-tap.js';

/** What to pixelate on a picture: boxes in its pixels, or all of it when the detector cannot vouch for it. */
export type PixelateRegions = readonly PixelBox[] | 'everything';

export interface PrivacyTranscoderOptions {
  feed: PictureFeed & {
    tap(): TsTap;
    readonly latestPts: number | undefined;
    readonly hasBFrames: boolean;
    readonly stats: { readonly pictures: number };
  };
  /** Polygons blacked out on every picture. */
  masks?: readonly (readonly NormalizedPoint[])[];
  /** Asked for every picture, before it is painted: what to pixelate (detected faces or persons). */
  pixelate?: (picture: RawPicture) => PixelateRegions;
  bitrateKbps?: number;
  gopSeconds?: number;
  /** Frame rate told to x264 for rate control. Default 30. */
  fps?: number;
  /** The least time between two keyframes made on request. Default 1000. */
  minKeyframeIntervalMs?: number;
  ffmpegPath?: string;
  log?: PublishLog;
}

export type PrivacyTranscoderState = 'idle' | 'starting' | 'running' | 'stopped';

interface TranscoderEvents {
  picture: [unit: AccessUnit];
  state: [state: PrivacyTranscoderState];
}

const PICTURES_TO_KNOW_THE_STREAM = 8;
/** A decoder that died (a broken stream) is started again after this long. */
const DECODER_RESTART_MS = 500;

/**
 * The camera as it may leave the edge: every picture decoded, privacy masks blacked out and detected faces or
 * persons pixelated, then encoded again for WebRTC. Pictures keep the feed's pts, so overlays and recordings stay on
 * the camera's timeline. A keyframe request starts a fresh x264 (its first picture is an IDR) and hands over at a
 * picture boundary; pictures never go out of order.
 */
export class PrivacyTranscoder extends EventEmitter<TranscoderEvents> implements PictureSource {
  readonly #options: PrivacyTranscoderOptions;
  readonly #painter: PrivacyPainter;
  readonly #prebuffer = new FeedPrebuffer();
  readonly #listeners = new Set<(unit: AccessUnit) => void>();
  #state: PrivacyTranscoderState = 'idle';
  #decoder: RawVideoDecoder | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Encoders in output order: the first one's pictures go out; the others' wait until it has finished. */
  #encoders: { encoder: RawH264Encoder; held: EncodedPicture[] }[] = [];
  #encodeFrom = 0;
  #lastKeyframeRequestAt = -Infinity;
  #lastDts: number | undefined;
  lastError: string | undefined;
  readonly counters = { decoded: 0, encoded: 0, keyframeRestarts: 0, droppedByEncoder: 0 };

  constructor(options: PrivacyTranscoderOptions) {
    super();
    this.#options = options;
    this.#painter = new PrivacyPainter(options.masks ?? []);
  }

  get state(): PrivacyTranscoderState {
    return this.#state;
  }

  get pids(): number[] {
    return [this.#decoder?.pid, ...this.#encoders.map((e) => e.encoder.pid)].filter((pid): pid is number => pid !== undefined);
  }

  wallClockOf(pts: number): number {
    return this.#options.feed.wallClockOf(pts);
  }

  /** The private picture as MPEG-TS streams, for a recorder or an HLS segmenter. */
  tap(): TsTap {
    return new TsTap(this);
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#setState('starting');
    this.#startDecoder();
  }

  subscribe(listener: (unit: AccessUnit) => void, options: { replay?: boolean } = {}): () => void {
    if (options.replay) for (const unit of this.#prebuffer.snapshot()) listener(unit);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  requestKeyframe(): KeyframeDecision {
    if (this.#state !== 'running') return { action: 'wait', reason: 'not-running', expectedWithinMs: Number.POSITIVE_INFINITY };
    const now = performance.now();
    const minInterval = this.#options.minKeyframeIntervalMs ?? 1000;
    if (now - this.#lastKeyframeRequestAt < minInterval) {
      return { action: 'wait', reason: 'rate-limited', expectedWithinMs: Math.round(minInterval - (now - this.#lastKeyframeRequestAt)) };
    }
    this.#lastKeyframeRequestAt = now;
    const current = this.#encoders.at(-1)?.encoder;
    if (current) {
      // The next picture goes to a fresh x264, whose first output is an IDR.
      this.counters.keyframeRestarts++;
      current.finish();
      this.#encoders.push({ encoder: this.#newEncoder(current.options.width, current.options.height), held: [] });
    }
    return { action: 'restart', reason: 'restarting', expectedWithinMs: 100 };
  }

  async stop(): Promise<void> {
    this.#setState('stopped');
    clearTimeout(this.#restartTimer);
    this.#listeners.clear();
    this.#decoder?.stop();
    for (const { encoder } of this.#encoders) encoder.kill();
    await Promise.all(this.#encoders.map(({ encoder }) => (encoder.closed ? undefined : new Promise((r) => encoder.once('close', () => r(undefined))))));
    this.#encoders = [];
  }

  #setState(state: PrivacyTranscoderState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #startDecoder(): void {
    // Whether the stream has B-frames is known only once a few pictures have gone by (and decides how to decode).
    if (this.#options.feed.stats.pictures < PICTURES_TO_KNOW_THE_STREAM) {
      this.#restartTimer = setTimeout(() => {
        if (this.#state !== 'stopped') this.#startDecoder();
      }, 100);
      return;
    }
    // Pictures older than the feed's newest are decoded (later ones refer to them) but not encoded again.
    this.#encodeFrom = this.#options.feed.latestPts ?? 0;
    const decoder = new RawVideoDecoder(this.#options.ffmpegPath);
    this.#decoder = decoder;
    decoder.on('picture', (picture) => this.#onRawPicture(picture));
    decoder.on('exit', (reason) => {
      if (this.#state === 'stopped' || this.#decoder !== decoder) return;
      this.lastError = reason;
      this.#options.log?.warn({ err: reason }, 'privacy transcoder: decoder stopped, starting again');
      this.#restartTimer = setTimeout(() => this.#startDecoder(), DECODER_RESTART_MS);
    });
    // Raw H.264 is a frame quicker, but only MPEG-TS carries the pts a stream with B-frames needs.
    if (this.#options.feed.hasBFrames) decoder.start(this.#options.feed.tap().open({ maxLagMs: 500 }));
    else decoder.startPictures(this.#options.feed, { maxLagMs: 500 });
  }

  #onRawPicture(picture: RawPicture): void {
    if (this.#state === 'stopped' || picture.pts < this.#encodeFrom) return;
    this.counters.decoded++;
    const regions = this.#options.pixelate?.(picture) ?? [];
    this.#painter.paint(picture, regions === 'everything' ? [[0, 0, picture.width, picture.height]] : regions);
    let current = this.#encoders.at(-1);
    if (!current || !current.encoder.fits(picture)) {
      current?.encoder.finish();
      current = { encoder: this.#newEncoder(picture.width, picture.height), held: [] };
      this.#encoders.push(current);
    }
    if (!current.encoder.encode(picture)) this.counters.droppedByEncoder++;
  }

  #newEncoder(width: number, height: number): RawH264Encoder {
    const encoder = new RawH264Encoder({
      width,
      height,
      fps: this.#options.fps ?? 30,
      bitrateKbps: this.#options.bitrateKbps ?? 1500,
      gopSeconds: this.#options.gopSeconds ?? 1,
      ffmpegPath: this.#options.ffmpegPath,
    });
    const entry = () => this.#encoders.find((e) => e.encoder === encoder);
    encoder.on('picture', (picture) => {
      const mine = entry();
      if (!mine) return;
      if (this.#encoders[0] === mine) this.#emit(picture);
      else mine.held.push(picture);
    });
    encoder.on('close', () => {
      const index = this.#encoders.findIndex((e) => e.encoder === encoder);
      if (index < 0) return;
      this.#encoders.splice(index, 1);
      if (index === 0) {
        const next = this.#encoders[0];
        if (next) for (const held of next.held.splice(0)) this.#emit(held);
      }
    });
    return encoder;
  }

  #emit(picture: EncodedPicture): void {
    if (this.#state === 'stopped') return;
    if (this.#lastDts !== undefined && picture.pts <= this.#lastDts) return;
    this.#lastDts = picture.pts;
    const unit: AccessUnit = { pts: picture.pts, dts: picture.pts, keyframe: picture.keyframe, data: picture.data, receivedAt: Date.now() };
    this.counters.encoded++;
    if (this.#state !== 'running') this.#setState('running');
    this.#prebuffer.push(unit);
    this.emit('picture', unit);
    for (const listener of this.#listeners) listener(unit);
  }
}
