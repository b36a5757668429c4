import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RtpPacket } from 'werift';
import type { IceOptions } from '../ice.js';
import { DEFAULT_RELAY_CODEC, type RelayCodec } from './codec-choice.js';
import { DEFAULT_GOP_CACHE_LIMITS, GopCache, type ForwardedPacket, type GopCacheLimits } from './gop-cache.js';
import { startsKeyframe } from './keyframe.js';
import { KeyframeRequestLimiter } from './keyframe-request-limiter.js';
import { RelayNegotiationError } from './negotiation.js';
import { PublisherSession } from './publisher-session.js';
import { ViewerSession, type RelayForwarding, type ViewerFeedback } from './viewer-session.js';

/** A pino-compatible logger (Fastify's fits). */
export interface RelayLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface LiveRelayOptions {
  /** The camera this relay carries; appears in logs. */
  id: string;
  ice: IceOptions;
  /** At most one keyframe request (PLI) goes upstream per this many milliseconds. Default 1000. */
  pliMinIntervalMs?: number;
  /** How long a peer may take from answer to connected before it is dropped. Default 15000. */
  connectTimeoutMs?: number;
  /** A viewer that sends no RTCP for this long is dropped (receivers report about every second). Default 6000. */
  viewerSilenceTimeoutMs?: number;
  /** A publisher that sends nothing (RTP or RTCP) for this long is dropped. Default 6000. */
  publisherSilenceTimeoutMs?: number;
  /** Bounds of the cache of packets since the last keyframe. */
  gopCache?: GopCacheLimits;
  /**
   * How packets leave for viewers (see RelayForwarding). Default `fast`, or the environment's
   * SIGHTLINE_RELAY_FORWARDING (`fast` or `werift`) when set, so a deployment can go back to werift's sender without a
   * code change.
   */
  forwarding?: RelayForwarding;
  log?: RelayLogger;
}

export interface LiveRelayStats {
  viewers: number;
  /** RTP packets received from publishers (padding-only packets excluded). */
  packetsIn: number;
  /** RTP packets handed to viewers, cached GOPs included. */
  packetsForwarded: number;
  keyframeRequestsUpstream: number;
  /** Packets resent to viewers in answer to their NACKs. */
  retransmissions: number;
  /** Connected viewers whose packets take the fast path (the others use werift's sender). */
  viewersOnFastPath: number;
}

export interface LiveRelayEvents {
  viewers: [count: number];
  publisher: [connected: boolean];
  /** A viewer left, by removeViewer or because its connection failed. */
  'viewer-removed': [viewerId: string];
  /** A message on one of a viewer's data channels (cloud streaming input): who sent it is the listener's to check. */
  'viewer-message': [viewerId: string, label: string, data: string | Buffer];
  /** A viewer's receiver feedback (bandwidth estimate, loss), for adapting the publisher's encoder. */
  'viewer-feedback': [viewerId: string, feedback: ViewerFeedback];
}

const NOOP_LOGGER: RelayLogger = { info: () => undefined, warn: () => undefined };

function defaultForwarding(): RelayForwarding {
  return process.env.SIGHTLINE_RELAY_FORWARDING === 'werift' ? 'werift' : 'fast';
}

/**
 * A selective forwarding unit for one camera: one WebRTC publisher (WHIP), many viewers (WHEP), no transcoding.
 * Each incoming RTP packet is forwarded to every connected viewer, which rewrites payload type, SSRC and header
 * extensions to its own negotiation. Keyframe requests from viewers are coalesced upstream, a new viewer starts from
 * the cached GOP, and NACKs are answered per viewer from the history of the viewer's sender.
 */
/** A consumer of a relay's raw packets (see LiveRelay.addTap). */
export type RelayTap = (packet: ForwardedPacket, codec: RelayCodec) => void;

export class LiveRelay extends EventEmitter<LiveRelayEvents> {
  readonly id: string;
  private readonly ice: IceOptions;
  private readonly connectTimeoutMs: number;
  private readonly viewerSilenceTimeoutMs: number;
  private readonly publisherSilenceTimeoutMs: number;
  private readonly forwarding: RelayForwarding;
  private readonly log: RelayLogger;
  private readonly gopCache: GopCache;
  private readonly keyframeRequests: KeyframeRequestLimiter;
  private readonly viewers = new Map<string, ViewerSession>();
  private readonly taps = new Set<RelayTap>();
  private publisher: PublisherSession | undefined;
  private generation = 0;
  private closed = false;
  private packetsIn = 0;
  private packetsForwarded = 0;
  private keyframeRequestsUpstream = 0;
  /** Retransmissions of viewers that have left, so the total never goes down. */
  private retransmissionsOfRemoved = 0;

  constructor(options: LiveRelayOptions) {
    super();
    this.id = options.id;
    this.ice = options.ice;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.viewerSilenceTimeoutMs = options.viewerSilenceTimeoutMs ?? 6000;
    this.publisherSilenceTimeoutMs = options.publisherSilenceTimeoutMs ?? 6000;
    this.forwarding = options.forwarding ?? defaultForwarding();
    this.log = options.log ?? NOOP_LOGGER;
    this.gopCache = new GopCache(options.gopCache ?? DEFAULT_GOP_CACHE_LIMITS);
    this.keyframeRequests = new KeyframeRequestLimiter(options.pliMinIntervalMs ?? 1000, () => {
      if (this.publisher?.requestKeyframe()) this.keyframeRequestsUpstream++;
    });
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** A publisher is connected (media may flow). */
  get hasPublisher(): boolean {
    return this.publisher?.isConnected ?? false;
  }

  /** The codec viewers are negotiated for: the publisher's, or H.264 until one has connected. */
  get codec(): RelayCodec {
    return this.publisher?.codec ?? DEFAULT_RELAY_CODEC;
  }

  /** WHIP: answers a publisher's offer. A new publisher replaces the current one. */
  async acceptPublisher(offerSdp: string): Promise<string> {
    this.assertOpen();
    const generation = ++this.generation;
    const { session, answerSdp } = await PublisherSession.answer({
      generation,
      ice: this.ice,
      offerSdp,
      connectTimeoutMs: this.connectTimeoutMs,
      silenceTimeoutMs: this.publisherSilenceTimeoutMs,
      hooks: {
        onRtp: (publisher, packet) => this.onPublisherRtp(publisher, packet),
        onConnected: (publisher) => this.onPublisherConnected(publisher),
        onGone: (publisher) => void this.dropPublisher(publisher, 'connection lost'),
      },
    });
    if (this.closed) {
      await session.close();
      throw new RelayNegotiationError('relay-closed', 'the relay closed');
    }
    if (this.publisher && this.publisher.generation > generation) {
      // A publisher that offered later finished negotiating first; the newest one wins.
      await session.close();
      throw new RelayNegotiationError('superseded', 'another publisher took over while this one negotiated');
    }
    const previous = this.publisher;
    this.publisher = session;
    this.gopCache.clear();
    for (const viewer of this.viewers.values()) viewer.sourceChanged();
    if (previous) {
      this.log.info({ relay: this.id }, 'publisher replaced');
      const wasConnected = previous.isConnected;
      await previous.close();
      if (wasConnected) this.emit('publisher', false);
    }
    this.log.info({ relay: this.id, codec: session.codec.name }, 'publisher accepted');
    return answerSdp;
  }

  /** WHEP: answers a viewer's offer with a send-only video track. */
  async addViewer(offerSdp: string): Promise<{ viewerId: string; answerSdp: string }> {
    this.assertOpen();
    const viewerId = randomUUID();
    const { session, answerSdp } = await ViewerSession.answer({
      id: viewerId,
      ice: this.ice,
      offerSdp,
      codec: this.codec,
      connectTimeoutMs: this.connectTimeoutMs,
      silenceTimeoutMs: this.viewerSilenceTimeoutMs,
      forwarding: this.forwarding,
      hooks: {
        onKeyframeNeeded: () => this.keyframeRequests.request(),
        onConnected: (viewer) => this.onViewerConnected(viewer),
        onGone: (viewer) => void this.removeViewer(viewer.id),
        onMessage: (viewer, label, data) => {
          if (this.viewers.get(viewer.id) === viewer) this.emit('viewer-message', viewer.id, label, data);
        },
        onFeedback: (viewer, feedback) => {
          if (this.viewers.get(viewer.id) === viewer) this.emit('viewer-feedback', viewer.id, feedback);
        },
      },
    });
    if (this.closed) {
      await session.close();
      throw new RelayNegotiationError('relay-closed', 'the relay closed');
    }
    this.viewers.set(viewerId, session);
    this.log.info({ relay: this.id, viewer: viewerId, viewers: this.viewers.size }, 'viewer added');
    this.emit('viewers', this.viewers.size);
    return { viewerId, answerSdp };
  }

  async removeViewer(viewerId: string): Promise<void> {
    const viewer = this.viewers.get(viewerId);
    if (!viewer) return;
    this.viewers.delete(viewerId);
    this.retransmissionsOfRemoved += viewer.retransmissions;
    await viewer.close();
    this.log.info({ relay: this.id, viewer: viewerId, viewers: this.viewers.size }, 'viewer removed');
    this.emit('viewer-removed', viewerId);
    this.emit('viewers', this.viewers.size);
  }

  /** Asks the publisher for a keyframe (rate-limited like viewers' requests), for taps that need one to start. */
  requestKeyframe(): void {
    this.keyframeRequests.request();
  }

  /** Sends to the connected publisher over its data channel of that label; false when there is none open. */
  sendToPublisher(label: string, data: string | Buffer): boolean {
    return this.publisher?.isConnected === true && this.publisher.send(label, data);
  }

  async removePublisher(): Promise<void> {
    if (this.publisher) await this.dropPublisher(this.publisher, 'removed');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keyframeRequests.cancel();
    await this.removePublisher();
    await Promise.all([...this.viewers.keys()].map((id) => this.removeViewer(id)));
    this.gopCache.clear();
  }

  stats(): LiveRelayStats {
    let retransmissions = this.retransmissionsOfRemoved;
    let viewersOnFastPath = 0;
    for (const viewer of this.viewers.values()) {
      retransmissions += viewer.retransmissions;
      if (viewer.forwardingPath === 'fast') viewersOnFastPath++;
    }
    return {
      viewers: this.viewers.size,
      packetsIn: this.packetsIn,
      packetsForwarded: this.packetsForwarded,
      keyframeRequestsUpstream: this.keyframeRequestsUpstream,
      retransmissions,
      viewersOnFastPath,
    };
  }

  private onPublisherRtp(publisher: PublisherSession, rtp: RtpPacket): void {
    if (publisher !== this.publisher || rtp.payload.length === 0) return;
    this.packetsIn++;
    const packet: ForwardedPacket = {
      sequenceNumber: rtp.header.sequenceNumber,
      timestamp: rtp.header.timestamp,
      marker: rtp.header.marker,
      payload: rtp.payload,
      keyframeStart: startsKeyframe(publisher.codec.name, rtp.payload),
    };
    if (packet.keyframeStart) this.keyframeRequests.keyframeArrived();
    this.gopCache.add(packet);
    for (const viewer of this.viewers.values()) {
      if (viewer.forward(packet, publisher.generation)) this.packetsForwarded++;
    }
    for (const tap of this.taps) tap(packet, publisher.codec);
  }

  /**
   * Receives every packet of the publisher, for consumers that are not WebRTC peers (HLS, recording). It starts with
   * the cached GOP, so its first packet begins a keyframe when there is one. Returns the function that detaches it.
   */
  addTap(tap: RelayTap): () => void {
    this.taps.add(tap);
    const publisher = this.publisher;
    if (publisher) for (const packet of this.gopCache.snapshot()) tap(packet, publisher.codec);
    this.keyframeRequests.request();
    return () => this.taps.delete(tap);
  }

  private onPublisherConnected(publisher: PublisherSession): void {
    if (publisher !== this.publisher) return;
    this.log.info({ relay: this.id }, 'publisher connected');
    this.emit('publisher', true);
    // Viewers already waiting need a picture; an encoder that can honour PLIs sends one now.
    if ([...this.viewers.values()].some((viewer) => viewer.isLive)) this.keyframeRequests.request();
  }

  private onViewerConnected(viewer: ViewerSession): void {
    if (this.viewers.get(viewer.id) !== viewer) return;
    const publisher = this.publisher;
    if (publisher && viewer.codec.name !== publisher.codec.name) {
      this.log.warn({ relay: this.id, viewer: viewer.id }, "viewer negotiated another codec than the publisher's; it gets no video");
      return;
    }
    if (this.forwarding === 'fast' && viewer.forwardingPath !== 'fast') {
      this.log.warn({ relay: this.id, viewer: viewer.id }, "the fast forwarding path cannot serve this viewer (SRTP profile, header extensions or ICE route); it uses werift's sender");
    }
    if (publisher) {
      for (const packet of this.gopCache.snapshot()) {
        if (viewer.forward(packet, publisher.generation, true)) this.packetsForwarded++;
      }
    }
    // Even with a cached GOP, a fresh keyframe shortens the catch-up for encoders that honour PLIs.
    this.keyframeRequests.request();
  }

  private async dropPublisher(publisher: PublisherSession, reason: string): Promise<void> {
    if (publisher !== this.publisher) {
      await publisher.close();
      return;
    }
    this.publisher = undefined;
    this.gopCache.clear();
    for (const viewer of this.viewers.values()) viewer.sourceChanged();
    const wasConnected = publisher.isConnected;
    await publisher.close();
    this.log.info({ relay: this.id, reason }, 'publisher gone');
    if (wasConnected) this.emit('publisher', false);
  }

  private assertOpen(): void {
    if (this.closed) throw new RelayNegotiationError('relay-closed', 'the relay is closed');
  }
}
